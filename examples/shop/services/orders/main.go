// Command orders is the shop's orders service.
package main

func main() {}
