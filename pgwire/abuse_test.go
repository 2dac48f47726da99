package pgwire

import (
	"context"
	"encoding/binary"
	"errors"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/weir-stream/weir/planner/mql"
)

// endless is an engine whose queries never end by themselves: a row every
// few milliseconds until the context is done, as over a live topic.
type endless struct {
	Engine
	stopped atomic.Int32
}

func (e *endless) QueryDeadLetters(ctx context.Context, p *mql.Processor, fn func(bson.D) error, dead func(bson.D)) error {
	if src, ok := p.Pipeline[0].(*mql.Source); ok && src.Kind == mql.DocumentsSource {
		// SELECT 1 and friends stay finite.
		return e.Engine.QueryDeadLetters(ctx, p, fn, dead)
	}
	defer e.stopped.Add(1)
	for i := 0; ; i++ {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(2 * time.Millisecond):
		}
		if err := fn(bson.D{{Key: "n", Value: int64(i)}}); err != nil {
			return err
		}
	}
}

func endlessServer(t *testing.T) (*endless, string) {
	var eng *endless
	_, addr := testServer(t, func(s *Server) {
		eng = &endless{Engine: s.Engine}
		s.Engine = eng
	})
	return eng, addr
}

func connect(t *testing.T, addr string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), connString(addr))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// TestCancelRequest: a CancelRequest on its own socket ends the endless
// query with 57014, and the session goes on.
func TestCancelRequest(t *testing.T) {
	_, addr := endlessServer(t)
	testCancel(t, addr)
}

func testCancel(t *testing.T, addr string) {
	conn := connect(t, addr)
	ctx := context.Background()
	rows, err := conn.Query(ctx, "SELECT n::int8 AS n FROM default.orders", pgx.QueryExecModeSimpleProtocol)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for rows.Next() {
		if n++; n == 5 {
			if err := conn.PgConn().CancelRequest(ctx); err != nil {
				t.Fatal(err)
			}
		}
	}
	var pgErr *pgconn.PgError
	if !errors.As(rows.Err(), &pgErr) || pgErr.Code != "57014" {
		t.Fatalf("after cancel: %v", rows.Err())
	}
	var one int32
	if err := conn.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil || one != 1 {
		t.Fatalf("session after cancel: %v", err)
	}
}

// TestDisconnectStopsQuery: a client vanishing mid-stream stops its query.
func TestDisconnectStopsQuery(t *testing.T) {
	eng, addr := endlessServer(t)
	fe, c := rawConnect(t, addr)
	fe.Send(&pgproto3.Query{String: "SELECT n FROM default.orders"})
	fe.Flush()
	for range 5 {
		if _, err := fe.Receive(); err != nil {
			t.Fatal(err)
		}
	}
	c.Close()
	deadline := time.Now().Add(time.Second)
	for eng.stopped.Load() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the query still runs a second after the client left")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestPortalSuspended: Execute with a row limit returns that many rows and
// PortalSuspended, and the next Execute goes on from there.
func TestPortalSuspended(t *testing.T) {
	_, addr := endlessServer(t)
	fe, _ := rawConnect(t, addr)
	fe.Send(&pgproto3.Parse{Query: "SELECT n::int8 AS n FROM default.orders"})
	fe.Send(&pgproto3.Bind{})
	fe.Send(&pgproto3.Execute{MaxRows: 3})
	fe.Send(&pgproto3.Flush{})
	fe.Flush()
	want := []string{"*pgproto3.ParseComplete", "*pgproto3.BindComplete", "*pgproto3.DataRow", "*pgproto3.DataRow", "*pgproto3.DataRow", "*pgproto3.PortalSuspended"}
	expectMsgs(t, fe, want)
	fe.Send(&pgproto3.Execute{MaxRows: 2})
	fe.Send(&pgproto3.Sync{})
	fe.Flush()
	expectMsgs(t, fe, []string{"*pgproto3.DataRow", "*pgproto3.DataRow", "*pgproto3.PortalSuspended", "*pgproto3.ReadyForQuery"})
}

func expectMsgs(t *testing.T, fe *pgproto3.Frontend, want []string) {
	t.Helper()
	for _, w := range want {
		m, err := fe.Receive()
		if err != nil {
			t.Fatal(err)
		}
		if got := typeOf(m); got != w {
			t.Fatalf("got %s %+v, want %s", got, m, w)
		}
	}
}

// rawConnect opens a session with pgproto3's frontend.
func rawConnect(t *testing.T, addr string) (*pgproto3.Frontend, net.Conn) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(10 * time.Second))
	fe := pgproto3.NewFrontend(c, c)
	fe.Send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30, Parameters: map[string]string{"user": "weir"}})
	if err := fe.Flush(); err != nil {
		t.Fatal(err)
	}
	for {
		m, err := fe.Receive()
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := m.(*pgproto3.ReadyForQuery); ok {
			return fe, c
		}
	}
}

// readError reads until an ErrorResponse and then expects the socket to
// close.
func readError(t *testing.T, c net.Conn) *pgproto3.ErrorResponse {
	t.Helper()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	fe := pgproto3.NewFrontend(c, c)
	for {
		m, err := fe.Receive()
		if err != nil {
			t.Fatalf("no ErrorResponse: %v", err)
		}
		if e, ok := m.(*pgproto3.ErrorResponse); ok {
			// EOF or a reset: either way the server closed the socket.
			var ne net.Error
			if _, err := fe.Receive(); err == nil || errors.As(err, &ne) && ne.Timeout() {
				t.Fatalf("the socket stays open after the error: %v", err)
			}
			return e
		}
	}
}

// TestAbuse: garbage before startup, an oversized length prefix, and a
// Parse claiming more parameter types than it holds are refused with
// 08P01 and a closed socket, and the server keeps serving.
func TestAbuse(t *testing.T) {
	_, addr := testServer(t, nil)
	t.Run("garbage before startup", func(t *testing.T) {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.Write([]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"))
		if e := readError(t, c); e.Code != "08P01" || e.Severity != "FATAL" {
			t.Fatalf("%+v", e)
		}
	})
	t.Run("2 GB length prefix", func(t *testing.T) {
		_, c := rawConnect(t, addr)
		msg := []byte{'Q', 0x7f, 0xff, 0xff, 0xff}
		c.Write(msg)
		if e := readError(t, c); e.Code != "08P01" {
			t.Fatalf("%+v", e)
		}
	})
	t.Run("parameter flood", func(t *testing.T) {
		_, c := rawConnect(t, addr)
		// Parse "" "SELECT 1" claiming 65535 parameter types but holding 2.
		body := append([]byte("\x00SELECT 1\x00"), 0xff, 0xff, 0, 0, 0, 23, 0, 0, 0, 23)
		msg := binary.BigEndian.AppendUint32([]byte{'P'}, uint32(len(body)+4))
		c.Write(append(msg, body...))
		if e := readError(t, c); e.Code != "08P01" {
			t.Fatalf("%+v", e)
		}
	})
	conn := connect(t, addr)
	var one int32
	if err := conn.QueryRow(context.Background(), "SELECT 1").Scan(&one); err != nil {
		t.Fatalf("server after abuse: %v", err)
	}
}

// TestShutdown: sessions get FATAL 57P01 when the server stops.
func TestShutdown(t *testing.T) {
	srv, addr := testServer(t, nil)
	_, c := rawConnect(t, addr)
	go srv.Shutdown(context.Background())
	if e := readError(t, c); e.Code != "57P01" || e.Severity != "FATAL" {
		t.Fatalf("%+v", e)
	}
}

// TestPassword: with a password set, SCRAM-SHA-256 (or cleartext) lets
// the right password in and refuses a wrong one with 28P01.
func TestPassword(t *testing.T) {
	for _, cleartext := range []bool{false, true} {
		_, addr := testServer(t, func(s *Server) { s.Password, s.AllowCleartext = "s3cret", cleartext })
		host, port, _ := splitAddr(addr)
		ok, err := pgx.Connect(context.Background(), "postgres://weir:s3cret@"+host+":"+port+"/weir?sslmode=disable")
		if err != nil {
			t.Fatalf("cleartext=%v: right password: %v", cleartext, err)
		}
		ok.Close(context.Background())
		_, err = pgx.Connect(context.Background(), "postgres://weir:wrong@"+host+":"+port+"/weir?sslmode=disable")
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || pgErr.Code != "28P01" {
			t.Fatalf("cleartext=%v: wrong password: %v", cleartext, err)
		}
	}
}
