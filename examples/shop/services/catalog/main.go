// Command catalog is the shop's catalog service.
package main

func main() {}
