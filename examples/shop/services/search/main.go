// Command search is the shop's search service.
package main

func main() {}
