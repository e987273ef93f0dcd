// Command corsproof shows what a real browser does with a cross-origin
// request, and why: it serves test pages from any origin, drives headless
// Chromium to make the request, and records the browser's own CORS verdict
// with the raw headers of the preflight and the actual request.
package main

import "os"

func main() {
	os.Exit(int(Main(os.Args[1:], os.Stdout, os.Stderr)))
}
