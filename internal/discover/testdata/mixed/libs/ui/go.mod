module example.com/shop/libs/ui

go 1.22
