// Command orders-worker is the shop's orders-worker service.
package main

func main() {}
