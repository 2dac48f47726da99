package mongodb

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"testing"

	"github.com/FerretDB/FerretDB/ferretdb"
)

// testURI is the in-process FerretDB every test of the package shares:
// starting one takes about a second, and SQLite keeps one database per
// MongoDB database, so tests stay apart by using databases of their own.
var testURI string

func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	dir, err := os.MkdirTemp("", "weir-mongodb-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: "127.0.0.1:0"},
		Handler:   "sqlite",
		SQLiteURL: "file:" + dir + "/",
		// FerretDB logs every connection at info level; only its errors
		// help when a test fails.
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "starting FerretDB:", err)
		return 1
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		f.Run(ctx)
	}()
	testURI = f.MongoDBURI()
	code := m.Run()
	cancel()
	<-done
	return code
}
