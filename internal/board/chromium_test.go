package board

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ordo-ci/ordo/internal/golden"
	"github.com/ordo-ci/ordo/internal/testtool"
)

// chromium runs headless Chromium on page with the network cut off
// (nothing resolves, no background traffic) and a fresh profile, with
// extra flags, and returns its stdout.
func chromium(t *testing.T, page, query string, timeout time.Duration, extra ...string) []byte {
	t.Helper()
	bin := testtool.Find(t, "ORDO_CHROMIUM", "chromium")
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	args := append([]string{
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
		"--host-resolver-rules=MAP * ~NOTFOUND", "--user-data-dir=" + t.TempDir(),
	}, extra...)
	cmd := exec.CommandContext(ctx, bin, append(args, "file://"+page+query)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium: %v\n%s", err, stderr.Bytes())
	}
	return stdout.Bytes()
}

func writePage(t *testing.T, in Input) string {
	t.Helper()
	var buf bytes.Buffer
	if err := HTML(&buf, Build(in)); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "board.html")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

var (
	rowRE = regexp.MustCompile(`<th scope="row" data-name="([^"]*)">`)
	colRE = regexp.MustCompile(`<th scope="col">(?:<a href="[^"]*">)?([^<]*)`)
	// a row the filter left visible: no hidden attribute before its header
	visibleRowRE = regexp.MustCompile(`<tr(?: class="drift")?><th scope="row" data-name="([^"]*)">`)
	differRE     = regexp.MustCompile(`<td class="[^"]*\bdiffers\b[^"]*"[^>]*>\s*<span class="mark">≠`)
)

// checkDOM checks the DOM Chromium built: every service and environment,
// the drifting cells marked with their text marker, and the inline script
// run (so the page's CSP let it through): it shows the text filter.
func checkDOM(t *testing.T, dom string, in Input, drifting int) {
	t.Helper()
	rows := map[string]bool{}
	for _, m := range rowRE.FindAllStringSubmatch(dom, -1) {
		rows[m[1]] = true
	}
	for _, s := range in.Services {
		if !rows[s.Name] {
			t.Errorf("service %s is not on the page", s.Name)
		}
	}
	cols := map[string]bool{}
	for _, m := range colRE.FindAllStringSubmatch(dom, -1) {
		cols[m[1]] = true
	}
	for _, e := range in.Environments {
		if !cols[e.Name] {
			t.Errorf("environment %s is not a column", e.Name)
		}
	}
	if n := len(differRE.FindAllString(dom, -1)); n != drifting {
		t.Errorf("%d cells marked as differing, want %d", n, drifting)
	}
	if !strings.Contains(dom, `<span id="q-box">`) {
		t.Errorf("the filter is still hidden: the inline script did not run (blocked by the page's CSP?)")
	}
}

// TestChromium opens the shop's board in headless Chromium, offline,
// checks its DOM and takes the screenshot the README shows (go test
// -update writes it to examples/shop/board.png).
func TestChromium(t *testing.T) {
	t.Parallel()
	in := shopInput(t, true)
	page := writePage(t, in)
	dom := string(chromium(t, page, "", time.Minute, "--dump-dom"))
	checkDOM(t, dom, in, 2)

	// ?q= filters the rows by name, through the script.
	dom = string(chromium(t, page, "?q=PAY", time.Minute, "--dump-dom"))
	if shown := visibleRowRE.FindAllStringSubmatch(dom, -1); len(shown) != 1 || shown[0][1] != "payments" {
		t.Errorf("?q=PAY shows %v, want payments only", shown)
	}
	if n := strings.Count(dom, " hidden=\"\""); n != len(in.Services)-1 {
		t.Errorf("?q=PAY hides %d rows, want %d", n, len(in.Services)-1)
	}

	png := filepath.Join(t.TempDir(), "board.png")
	chromium(t, page, "", time.Minute, "--hide-scrollbars", "--window-size=1100,1340", "--screenshot="+png)
	data, err := os.ReadFile(png)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")) || len(data) < 20<<10 {
		t.Fatalf("the screenshot is not a PNG of a page (%d bytes)", len(data))
	}
	// The screenshot is a picture for the README, not compared: pixels
	// differ between Chromium builds. -update refreshes it.
	if golden.Updating() {
		if err := os.WriteFile("../../examples/shop/board.png", data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestChromiumLarge opens 100 environments × 500 services.
func TestChromiumLarge(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the 10 MB board")
	}
	t.Parallel()
	in := bigInput(100, 500)
	data, err := bigPage()
	if err != nil {
		t.Fatal(err)
	}
	page := filepath.Join(t.TempDir(), "board.html")
	if err := os.WriteFile(page, data, 0o644); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	dom := string(chromium(t, page, "", 3*time.Minute, "--dump-dom"))
	t.Logf("100 × 500: DOM of %d bytes in %v", len(dom), time.Since(start))
	checkDOM(t, dom, in, 167)
}
