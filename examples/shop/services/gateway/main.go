// Command gateway is the shop's gateway service.
package main

func main() {}
