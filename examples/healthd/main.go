// Command healthd stands in for the shop's endpoints in `make demo`, which
// runs with no network: it answers GET /<service>/<anything> (healthz,
// smoke) on 127.0.0.1 with 200 {"status":"ok"}, or 503 {"status":"down"} for
// the services listed in the -down file (one name a line, read again on
// every request), so one release's verification passes and the next one's
// trips the breaker. It prints its address on stdout and stops after -for.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen `address` (loopback only)")
	down := flag.String("down", "", "`file` listing the services that answer 503, one a line (may not exist yet)")
	life := flag.Duration("for", 10*time.Minute, "stop after this `duration`")
	flag.Parse()

	host, _, err := net.SplitHostPort(*addr)
	if err != nil || !net.ParseIP(host).IsLoopback() {
		fmt.Fprintf(os.Stderr, "healthd: -addr %q: listen on a loopback address such as 127.0.0.1:0\n", *addr)
		os.Exit(2)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(os.Stderr, "healthd: %v\n", err)
		os.Exit(3)
	}
	fmt.Println("http://" + ln.Addr().String())

	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		service, rest, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
		if service == "" || rest == "" {
			http.NotFound(w, r)
			return
		}
		status, code := "ok", http.StatusOK
		if slices.Contains(downList(*down), service) {
			status, code = "down", http.StatusServiceUnavailable
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		json.NewEncoder(w).Encode(map[string]string{"service": service, "status": status})
	})}
	time.AfterFunc(*life, func() { srv.Close() })
	if err := srv.Serve(ln); err != http.ErrServerClosed {
		fmt.Fprintf(os.Stderr, "healthd: %v\n", err)
		os.Exit(3)
	}
}

// downList reads the services that answer 503; a missing file lists none.
func downList(file string) []string {
	if file == "" {
		return nil
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return nil
	}
	return strings.Fields(string(b))
}
