module example.com/shop/services/orders

go 1.22

require example.com/shop/libs/money v0.0.0

replace example.com/shop/libs/money => ../../libs/money
