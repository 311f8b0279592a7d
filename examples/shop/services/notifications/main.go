// Command notifications is the shop's notifications service.
package main

func main() {}
