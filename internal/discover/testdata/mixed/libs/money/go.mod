module example.com/shop/libs/money

go 1.22
