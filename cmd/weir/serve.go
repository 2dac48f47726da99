package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/weir-stream/weir/connectors/registry"
	"github.com/weir-stream/weir/exec"
	"github.com/weir-stream/weir/pgwire"
)

// runServe is `weir serve`: the PostgreSQL wire endpoint over one engine.
func runServe(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var conns regFlags
	fs.Var(&conns, "conn", "bind a connection: NAME=file:DIR, NAME=kafka://HOST:PORT[?…] or NAME=mongodb://… (repeatable)")
	config := fs.String("config", "", "read connections from a YAML file (see docs/connections.md)")
	timeout := fs.Duration("connect-timeout", 0, "bound on reaching each connection when a processor or query starts (default: each connection's own, 10s)")
	listen := fs.String("listen", "127.0.0.1:7432", "address to accept PostgreSQL clients on")
	state := fs.String("state", "", "directory where connections and stream processors are kept across restarts")
	certFile := fs.String("tls-cert", "", "TLS certificate (PEM); with --tls-key, SSLRequest is answered with TLS")
	keyFile := fs.String("tls-key", "", "TLS private key (PEM)")
	metrics := fs.String("metrics", "", "address to serve /metrics on (Prometheus text format)")
	cleartext := fs.Bool("cleartext-password", false, "ask for the password in cleartext instead of SCRAM-SHA-256 (use with TLS)")
	users := fs.String("users", "", "users file: NAME:SECRET per line, SECRET a SCRAM-SHA-256 verifier (see --hash-password) or a password; only these users may log in")
	hash := fs.Bool("hash-password", false, "read a password from stdin, print its SCRAM-SHA-256 verifier for a --users file, and exit")
	logJSON := fs.Bool("log-json", false, "log as JSON instead of text")
	memLimit := fs.String("memory-limit", "", "bound on each processor's and query's operator state, e.g. 512MiB; past it the run fails naming the operator (default 1GiB; 0 for none)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: weir serve [--listen ADDR] [--conn NAME=URI]... [--config weir.yaml] [--connect-timeout D] [--state DIR] [--tls-cert F --tls-key F] [--users FILE] [--cleartext-password] [--metrics ADDR] [--memory-limit SIZE] [--log-json]")
		fmt.Fprintln(stderr, "       weir serve --hash-password < password")
		fmt.Fprintln(stderr, "Speaks the PostgreSQL protocol: psql, pgx, node-postgres and JDBC connect and run weir SQL.")
		fmt.Fprintln(stderr, "Clients on loopback are trusted; set WEIR_PASSWORD (any user name) or --users to require a password (SCRAM-SHA-256).")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return usageError{err}
	}
	if fs.NArg() != 0 {
		fs.Usage()
		return badInput("weir serve: unexpected argument %q", fs.Arg(0))
	}
	if *hash {
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && line == "" {
			return badInput("weir serve --hash-password: no password on stdin")
		}
		cred, err := pgwire.NewCredential(strings.TrimRight(line, "\r\n"))
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, cred)
		return nil
	}
	var handler slog.Handler = slog.NewTextHandler(stderr, nil)
	if *logJSON {
		handler = slog.NewJSONHandler(stderr, nil)
	}
	log := slog.New(handler)
	srv := &pgwire.Server{Password: os.Getenv("WEIR_PASSWORD"), AllowCleartext: *cleartext, Logger: log}
	if *users != "" {
		u, err := pgwire.LoadUsers(*users)
		if err != nil {
			return badInput("weir serve: --users: %v", err)
		}
		srv.Users = u
	}
	if (*certFile == "") != (*keyFile == "") {
		return badInput("weir serve: --tls-cert and --tls-key go together")
	}
	if *certFile != "" {
		cert, err := tls.LoadX509KeyPair(*certFile, *keyFile)
		if err != nil {
			return badInput("weir serve: %v", err)
		}
		srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	reg := registry.New()
	if *config != "" {
		if err := reg.LoadConfig(*config); err != nil {
			return badInput("weir serve: --config: %v", err)
		}
	}
	for _, c := range conns {
		if err := reg.Add(c); err != nil {
			return badInput("weir serve: --conn: %v", err)
		}
	}
	limit, err := parseMemoryLimit(*memLimit)
	if err != nil {
		return badInput("weir serve: --memory-limit: %v", err)
	}
	eng, err := exec.OpenEngine(exec.EngineConfig{StateDir: *state, Registry: reg, ConnectTimeout: *timeout, Logger: log, MemoryLimit: limit})
	if err != nil {
		return fmt.Errorf("weir serve: %w", err)
	}
	srv.Engine = eng
	l, err := net.Listen("tcp", *listen)
	if err != nil {
		eng.Close()
		return fmt.Errorf("weir serve: %w", err)
	}
	if *metrics != "" {
		ml, err := net.Listen("tcp", *metrics)
		if err != nil {
			l.Close()
			eng.Close()
			return fmt.Errorf("weir serve: --metrics: %w", err)
		}
		mux := http.NewServeMux()
		mux.HandleFunc("/metrics", func(w http.ResponseWriter, _ *http.Request) { pgwire.WriteMetrics(w, eng, time.Now()) })
		go http.Serve(ml, mux)
		defer ml.Close()
	}
	fmt.Fprintf(stdout, "weir serve: listening on %s (psql -h %s -p %s -U weir)\n", l.Addr(), host(l.Addr()), port(l.Addr()))
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, os.Interrupt)
	defer signal.Stop(sigs)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(l) }()
	select {
	case sig := <-sigs:
		log.Info("shutting down", "signal", sig.String())
	case err := <-served:
		if err != nil {
			eng.Close()
			return fmt.Errorf("weir serve: %w", err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	srv.Shutdown(ctx)
	// Processors stop with their STARTED state kept, so the next serve
	// resumes them.
	return eng.Close()
}

func host(a net.Addr) string {
	h, _, _ := net.SplitHostPort(a.String())
	return h
}

func port(a net.Addr) string {
	_, p, _ := net.SplitHostPort(a.String())
	return p
}
