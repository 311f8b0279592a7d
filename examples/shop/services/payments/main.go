// Command payments is the shop's payments service.
package main

func main() {}
