package pgwire

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/weir-stream/weir/internal/pgtest"
)

// TestUsersFile: with --users, exactly the listed users log in, each with
// its own password, given as a SCRAM-SHA-256 verifier or in cleartext;
// a wrong password and an unknown user are both refused with 28P01, over
// SCRAM and over cleartext.
func TestUsersFile(t *testing.T) {
	ana, err := NewCredential("pw-ana")
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "users")
	body := "# weir users\nana:" + ana.String() + "\n\nbo:plain:with:colons\n"
	if err := os.WriteFile(file, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	users, err := LoadUsers(file)
	if err != nil {
		t.Fatal(err)
	}
	for _, cleartext := range []bool{false, true} {
		_, addr := testServer(t, func(s *Server) { s.Users, s.AllowCleartext = users, cleartext })
		host, port, _ := splitAddr(addr)
		login := func(user, pw string) error {
			c, err := pgx.Connect(context.Background(), "postgres://"+user+":"+pw+"@"+host+":"+port+"/weir?sslmode=disable")
			if err == nil {
				c.Close(context.Background())
			}
			return err
		}
		for _, ok := range [][2]string{{"ana", "pw-ana"}, {"bo", "plain:with:colons"}} {
			if err := login(ok[0], ok[1]); err != nil {
				t.Errorf("cleartext=%v: %s: %v", cleartext, ok[0], err)
			}
		}
		for _, bad := range [][2]string{{"ana", "pw-bo"}, {"bo", "pw-ana"}, {"eve", "pw-ana"}, {"weir", ""}} {
			var pgErr *pgconn.PgError
			if err := login(bad[0], bad[1]); !errors.As(err, &pgErr) || pgErr.Code != "28P01" {
				t.Errorf("cleartext=%v: %s with %q: %v, want 28P01", cleartext, bad[0], bad[1], err)
			}
		}
	}
}

// TestUsersFileErrors: a malformed users file is refused with the line.
func TestUsersFileErrors(t *testing.T) {
	for body, want := range map[string]string{
		"ana\n":                              ":1: want NAME:SECRET",
		"ana:x\nana:y\n":                     `:2: user "ana" appears twice`,
		"# only a comment\n":                 "no users",
		"ana:SCRAM-SHA-256$4096:c2FsdA==\n":  "malformed SCRAM-SHA-256 verifier",
		"ana:SCRAM-SHA-256$x:c2FsdA==$a:b\n": `iteration count "x"`,
	} {
		file := filepath.Join(t.TempDir(), "users")
		if err := os.WriteFile(file, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := LoadUsers(file); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", body, err, want)
		}
	}
}

// TestUsersFilePostgresVerifier: a verifier PostgreSQL itself made
// (pg_authid.rolpassword after CREATE ROLE … PASSWORD) logs in with its
// password, so a users file can be filled from an existing server.
func TestUsersFilePostgresVerifier(t *testing.T) {
	url := pgtest.URL(t)
	rows := pgtest.Query(t, url, `SET password_encryption = 'scram-sha-256';
DROP ROLE IF EXISTS weir_verifier_test;
CREATE ROLE weir_verifier_test LOGIN PASSWORD 'from-postgres';
SELECT rolpassword FROM pg_authid WHERE rolname = 'weir_verifier_test';
DROP ROLE weir_verifier_test;`)
	if len(rows) != 1 {
		t.Fatalf("rolpassword: %v", rows)
	}
	cred, err := ParseCredential(rows[0])
	if err != nil {
		t.Fatalf("%s: %v", rows[0], err)
	}
	_, addr := testServer(t, func(s *Server) { s.Users = map[string]Credential{"pat": cred} })
	host, port, _ := splitAddr(addr)
	c, err := pgx.Connect(context.Background(), "postgres://pat:from-postgres@"+host+":"+port+"/weir?sslmode=disable")
	if err != nil {
		t.Fatal(err)
	}
	c.Close(context.Background())
	if !cred.verify("from-postgres") || cred.verify("other") {
		t.Error("cleartext check of PostgreSQL's verifier")
	}
}

// TestUsersFileDocExample loads the users file docs/pgwire.md shows and
// logs in as its two users.
func TestUsersFileDocExample(t *testing.T) {
	doc, err := os.ReadFile("../docs/pgwire.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(doc), "  ```\n  # weir users")
	block, _, ok2 := strings.Cut(rest, "  ```\n")
	if !ok || !ok2 {
		t.Fatal("docs/pgwire.md has no users file example")
	}
	var lines []string
	for _, l := range strings.Split("  # weir users"+block, "\n") {
		lines = append(lines, strings.TrimPrefix(l, "  "))
	}
	file := filepath.Join(t.TempDir(), "users")
	if err := os.WriteFile(file, []byte(strings.Join(lines, "\n")), 0o600); err != nil {
		t.Fatal(err)
	}
	users, err := LoadUsers(file)
	if err != nil {
		t.Fatal(err)
	}
	_, addr := testServer(t, func(s *Server) { s.Users = users })
	host, port, _ := splitAddr(addr)
	for user, pw := range map[string]string{"ana": "pw-ana", "bo": "a password in the clear"} {
		c, err := pgx.Connect(context.Background(), "postgres://"+user+":"+url.PathEscape(pw)+"@"+host+":"+port+"/weir?sslmode=disable")
		if err != nil {
			t.Errorf("%s: %v", user, err)
			continue
		}
		c.Close(context.Background())
	}
}

// TestPasswordSASLprep: libpq (psql) normalizes a password with SASLprep
// before SCRAM, as PostgreSQL does when it stores one; weir does too, so
// a password set as "Ⅸ" (U+2168, NFKC "IX") lets psql in with what the
// user typed, in SCRAM and in cleartext, and a verifier PostgreSQL made
// for it works.
func TestPasswordSASLprep(t *testing.T) {
	psql, err := exec.LookPath("psql")
	if err != nil {
		t.Skip("psql is not installed (Debian's postgresql-client)")
	}
	login := func(addr, pw string) error {
		host, port, _ := splitAddr(addr)
		cmd := exec.Command(psql, "-X", "-At", "-h", host, "-p", port, "-U", "weir", "-d", "weir", "-c", "SELECT 1")
		cmd.Env = append(os.Environ(), "PGPASSWORD="+pw, "PGSSLMODE=disable", "PGCONNECT_TIMEOUT=5")
		out, err := cmd.CombinedOutput()
		if err != nil {
			return fmt.Errorf("%v: %s", err, out)
		}
		return nil
	}
	for _, cleartext := range []bool{false, true} {
		_, addr := testServer(t, func(s *Server) { s.Password, s.AllowCleartext = "\u2168", cleartext })
		if err := login(addr, "\u2168"); err != nil {
			t.Errorf("cleartext=%v: psql with the password as set: %v", cleartext, err)
		}
		if err := login(addr, "IX"); err != nil {
			t.Errorf("cleartext=%v: psql with its SASLprep form: %v", cleartext, err)
		}
		if err := login(addr, "I"); err == nil {
			t.Errorf("cleartext=%v: a wrong password got in", cleartext)
		}
	}
	url := pgtest.URL(t)
	rows := pgtest.Query(t, url, `SET password_encryption = 'scram-sha-256';
DROP ROLE IF EXISTS weir_saslprep_test;
CREATE ROLE weir_saslprep_test LOGIN PASSWORD '`+"\u2168"+`';
SELECT rolpassword FROM pg_authid WHERE rolname = 'weir_saslprep_test';
DROP ROLE weir_saslprep_test;`)
	cred, err := ParseCredential(rows[0])
	if err != nil {
		t.Fatal(err)
	}
	_, addr := testServer(t, func(s *Server) { s.Users = map[string]Credential{"weir": cred} })
	if err := login(addr, "\u2168"); err != nil {
		t.Errorf("PostgreSQL's verifier: %v", err)
	}
}
