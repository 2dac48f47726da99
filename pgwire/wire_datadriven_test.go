package pgwire

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/cockroachdb/datadriven"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/weir-stream/weir/internal/pgtest"
)

// TestWireScripts runs the wire scripts in testdata/pgwire/wire against an
// in-process weir server, one connection per script. The scripts are in
// the style of CockroachDB's pgwire tests:
//
//	send
//	{"Type":"Query","String":"SELECT 1"}
//	----
//
//	until ignore=RowDescription
//	ReadyForQuery
//	----
//	{"Type":"DataRow","Values":[{"text":"1"}]}
//	...
//
// send writes its input lines, each a frontend message as JSON naming its
// pgproto3 type (Query, Parse, Bind, Describe, Execute, Close, Sync,
// Flush). until reads backend messages until it has seen each message type
// of its input lines in turn (usually just ReadyForQuery) and prints them
// as JSON lines. Its ignore= option masks what legitimately differs
// between servers: a message type (ignore=RowDescription drops those
// messages) or a Type.Field (ignore=ErrorResponse.Message blanks that
// field). Zero-valued top-level fields are left out, and so are the
// ErrorResponse fields only PostgreSQL sends (File, Line, Routine).
// startup, if it comes first, prints the startup exchange (otherwise the
// connection is opened silently on first use). weir-only as a directive
// marks the whole script, and as an option (send weir-only, until
// weir-only) marks one block, as weir's only: they are skipped against
// PostgreSQL. Every send of a weir-only exchange must be weir-only too.
//
// TestWireScriptsPostgres runs the same scripts against a real PostgreSQL
// (internal/pgtest) and compares with the same expected output. -rewrite
// (datadriven's flag) rewrites the expected output from weir's answers in
// TestWireScripts and from PostgreSQL's in TestWireScriptsPostgres (review
// it with git diff: that shows where weir differs).
func TestWireScripts(t *testing.T) {
	datadriven.Walk(t, "../testdata/pgwire/wire", func(t *testing.T, path string) {
		_, addr := testServer(t, nil)
		runWireScript(t, path, wireTarget{addr: addr, user: "weir", database: "weir"})
	})
}

// TestWireScriptsPostgres runs the wire scripts against a real PostgreSQL:
// the one at WEIR_PG_URL (trust or cleartext/no TLS authentication), or a
// private one internal/pgtest starts from Debian's postgresql package.
func TestWireScriptsPostgres(t *testing.T) {
	url := pgtest.URL(t)
	cfg, err := pgconn.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.TLSConfig != nil {
		t.Fatal("WEIR_PG_URL: use sslmode=disable")
	}
	target := wireTarget{
		addr:     net.JoinHostPort(cfg.Host, fmt.Sprint(cfg.Port)),
		user:     cfg.User,
		password: cfg.Password,
		database: cfg.Database,
		postgres: true,
	}
	datadriven.Walk(t, "../testdata/pgwire/wire", func(t *testing.T, path string) {
		runWireScript(t, path, target)
	})
}

type wireTarget struct {
	addr, user, password, database string
	postgres                       bool // a real PostgreSQL: skip weir-only
}

func runWireScript(t *testing.T, path string, target wireTarget) {
	if target.postgres {
		// datadriven treats a Skip inside its callback as a failure.
		script, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(script), "\n") {
			if strings.TrimSpace(line) == "weir-only" {
				t.Skip("weir-only script")
			}
		}
	}
	var (
		conn net.Conn
		fe   *pgproto3.Frontend
	)
	t.Cleanup(func() {
		if conn != nil {
			fe.Send(&pgproto3.Terminate{})
			_ = fe.Flush()
			conn.Close()
		}
	})
	dial := func() {
		c, err := net.DialTimeout("tcp", target.addr, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		conn, fe = c, pgproto3.NewFrontend(c, c)
		_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
		fe.Send(&pgproto3.StartupMessage{
			ProtocolVersion: pgproto3.ProtocolVersionNumber,
			Parameters:      map[string]string{"user": target.user, "database": target.database},
		})
		if err := fe.Flush(); err != nil {
			t.Fatal(err)
		}
	}
	// startupMessages reads the startup exchange up to ReadyForQuery,
	// answering a cleartext password request.
	startupMessages := func() []pgproto3.BackendMessage {
		var msgs []pgproto3.BackendMessage
		for {
			msg, err := fe.Receive()
			if err != nil {
				t.Fatalf("startup: %v", err)
			}
			switch m := msg.(type) {
			case *pgproto3.AuthenticationCleartextPassword:
				fe.Send(&pgproto3.PasswordMessage{Password: target.password})
				if err := fe.Flush(); err != nil {
					t.Fatal(err)
				}
				continue
			case *pgproto3.AuthenticationOk, *pgproto3.ParameterStatus, *pgproto3.BackendKeyData, *pgproto3.ReadyForQuery:
			case *pgproto3.ErrorResponse:
				t.Fatalf("startup: %s (%s)", m.Message, m.Code)
			default:
				t.Fatalf("startup: unexpected %T (only trust and cleartext authentication are supported)", msg)
			}
			msgs = append(msgs, msg)
			if _, ok := msg.(*pgproto3.ReadyForQuery); ok {
				return msgs
			}
		}
	}
	connect := func() {
		if conn == nil {
			dial()
			startupMessages()
		}
	}
	datadriven.RunTest(t, path, func(t *testing.T, td *datadriven.TestData) string {
		if td.Cmd == "weir-only" {
			return ""
		}
		if target.postgres && td.HasArg("weir-only") {
			return td.Expected // skipped against PostgreSQL
		}
		switch td.Cmd {
		case "startup":
			if conn != nil {
				td.Fatalf(t, "startup must come first")
			}
			dial()
			return formatMessages(t, td, startupMessages())

		case "send":
			connect()
			for _, line := range strings.Split(td.Input, "\n") {
				if strings.TrimSpace(line) == "" {
					continue
				}
				msg, err := frontendMessage(line)
				if err != nil {
					td.Fatalf(t, "%v", err)
				}
				fe.Send(msg)
			}
			if err := fe.Flush(); err != nil {
				td.Fatalf(t, "%v", err)
			}
			return ""

		case "until":
			connect()
			var msgs []pgproto3.BackendMessage
			for _, want := range strings.Fields(td.Input) {
				for {
					msg, err := fe.Receive()
					if err != nil {
						td.Fatalf(t, "waiting for %s: %v (after %s)", want, err, formatMessages(t, td, msgs))
					}
					msgs = append(msgs, keepMessage(t, msg))
					if messageType(msg) == want {
						break
					}
				}
			}
			return formatMessages(t, td, msgs)

		default:
			td.Fatalf(t, "unknown directive %q", td.Cmd)
		}
		return ""
	})
}

// frontendMessage decodes one JSON line naming its pgproto3 Type.
func frontendMessage(line string) (pgproto3.FrontendMessage, error) {
	var head struct{ Type string }
	if err := json.Unmarshal([]byte(line), &head); err != nil {
		return nil, fmt.Errorf("%s: %v", line, err)
	}
	var msg pgproto3.FrontendMessage
	switch head.Type {
	case "Query":
		msg = &pgproto3.Query{}
	case "Parse":
		msg = &pgproto3.Parse{}
	case "Bind":
		msg = &pgproto3.Bind{}
	case "Describe":
		msg = &pgproto3.Describe{}
	case "Execute":
		msg = &pgproto3.Execute{}
	case "Close":
		msg = &pgproto3.Close{}
	case "Sync":
		msg = &pgproto3.Sync{}
	case "Flush":
		msg = &pgproto3.Flush{}
	default:
		return nil, fmt.Errorf("%s: unknown frontend message type %q", line, head.Type)
	}
	if err := json.Unmarshal([]byte(line), msg); err != nil {
		return nil, fmt.Errorf("%s: %v", line, err)
	}
	return msg, nil
}

func messageType(msg pgproto3.BackendMessage) string {
	return strings.TrimPrefix(fmt.Sprintf("%T", msg), "*pgproto3.")
}

// keepMessage keeps a received message past the next Receive (pgproto3
// reuses its structs) by way of its JSON.
func keepMessage(t *testing.T, msg pgproto3.BackendMessage) pgproto3.BackendMessage {
	b, err := json.Marshal(msg)
	if err != nil {
		t.Fatalf("%T: %v", msg, err)
	}
	return rawMessage{typ: messageType(msg), json: b}
}

type rawMessage struct {
	pgproto3.BackendMessage
	typ  string
	json []byte
}

func (m rawMessage) MarshalJSON() ([]byte, error) { return m.json, nil }

// postgresOnlyFields are ErrorResponse/NoticeResponse fields about
// PostgreSQL's source code, never compared.
var postgresOnlyFields = map[string]bool{"File": true, "Line": true, "Routine": true}

// formatMessages prints messages as JSON lines, Type first and the other
// non-zero top-level fields sorted, without what ignore= masks.
func formatMessages(t *testing.T, td *datadriven.TestData, msgs []pgproto3.BackendMessage) string {
	ignoreTypes, ignoreFields := map[string]bool{}, map[string]bool{}
	for _, arg := range td.CmdArgs {
		if arg.Key != "ignore" {
			continue
		}
		for _, v := range arg.Vals {
			for _, v := range strings.Split(v, ",") {
				if strings.Contains(v, ".") {
					ignoreFields[v] = true
				} else {
					ignoreTypes[v] = true
				}
			}
		}
	}
	var out strings.Builder
	for _, msg := range msgs {
		b, err := json.Marshal(msg)
		if err != nil {
			t.Fatalf("%T: %v", msg, err)
		}
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(b, &fields); err != nil {
			t.Fatalf("%s: %v", b, err)
		}
		typ := messageType(msg)
		if m, ok := msg.(rawMessage); ok {
			typ = m.typ
		}
		if ignoreTypes[typ] {
			continue
		}
		delete(fields, "Type")
		var keys []string
		for k, v := range fields {
			if isZeroJSON(v) || ignoreFields[typ+"."+k] ||
				((typ == "ErrorResponse" || typ == "NoticeResponse") && postgresOnlyFields[k]) {
				continue
			}
			keys = append(keys, k)
		}
		sort.Strings(keys)
		fmt.Fprintf(&out, `{"Type":%q`, typ)
		for _, k := range keys {
			fmt.Fprintf(&out, ",%q:%s", k, fields[k])
		}
		out.WriteString("}\n")
	}
	return out.String()
}

func isZeroJSON(v json.RawMessage) bool {
	switch string(bytes.TrimSpace(v)) {
	case `""`, `0`, `null`, `[]`, `{}`, `false`:
		return true
	}
	return false
}
