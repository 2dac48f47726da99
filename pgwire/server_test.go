package pgwire

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/weir-stream/weir/connectors"
	"github.com/weir-stream/weir/exec"
)

// testServer starts a server over an engine whose default connection is
// testdata/pgwire/data, and returns its address.
func testServer(t *testing.T, configure func(*Server)) (*Server, string) {
	t.Helper()
	// Processors write into their connection's directory: give each test
	// its own copy of the data.
	dir := t.TempDir()
	data, err := os.ReadFile("../testdata/pgwire/data/orders.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "orders.jsonl"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	eng, err := exec.OpenEngine(exec.EngineConfig{StateDir: t.TempDir(), Files: map[string]connectors.File{"default": {Dir: dir}}})
	if err != nil {
		t.Fatal(err)
	}
	srv := &Server{Engine: eng}
	if configure != nil {
		configure(srv)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
		eng.Close()
	})
	return srv, l.Addr().String()
}

func splitAddr(addr string) (string, string, error) { return net.SplitHostPort(addr) }

func typeOf(v any) string { return fmt.Sprintf("%T", v) }
