// Command users is the shop's users service.
package main

func main() {}
