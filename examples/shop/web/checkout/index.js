export const checkout = () => "checkout";
