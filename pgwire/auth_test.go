package pgwire

import (
	"context"
	"crypto/pbkdf2"
	"crypto/sha256"
	"encoding/base64"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgproto3"
)

// scramClient speaks SCRAM-SHA-256 by hand, so a test can send what no
// driver sends.
type scramClient struct {
	t    *testing.T
	conn net.Conn
	fe   *pgproto3.Frontend
}

func dialSCRAM(t *testing.T, addr, user string) *scramClient {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(10 * time.Second))
	fe := pgproto3.NewFrontend(c, c)
	fe.Send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30, Parameters: map[string]string{"user": user, "database": "weir"}})
	if err := fe.Flush(); err != nil {
		t.Fatal(err)
	}
	m, err := fe.Receive()
	if err != nil {
		t.Fatal(err)
	}
	if sasl, ok := m.(*pgproto3.AuthenticationSASL); !ok || sasl.AuthMechanisms[0] != "SCRAM-SHA-256" {
		t.Fatalf("got %#v, want AuthenticationSASL", m)
	}
	return &scramClient{t: t, conn: c, fe: fe}
}

// first sends a client-first-message and returns the server-first-message
// (or the error the server answered).
func (c *scramClient) first(data string) (string, *pgproto3.ErrorResponse) {
	c.t.Helper()
	c.fe.Send(&pgproto3.SASLInitialResponse{AuthMechanism: "SCRAM-SHA-256", Data: []byte(data)})
	return c.receive()
}

func (c *scramClient) receive() (string, *pgproto3.ErrorResponse) {
	c.t.Helper()
	if err := c.fe.Flush(); err != nil {
		c.t.Fatal(err)
	}
	m, err := c.fe.Receive()
	if err != nil {
		c.t.Fatal(err)
	}
	switch m := m.(type) {
	case *pgproto3.AuthenticationSASLContinue:
		return string(m.Data), nil
	case *pgproto3.AuthenticationSASLFinal:
		return string(m.Data), nil
	case *pgproto3.ErrorResponse:
		return "", m
	}
	c.t.Fatalf("unexpected %#v", m)
	return "", nil
}

// final is the client-final-message for password: "c=CB,r=NONCE,p=PROOF"
// with the attributes before p= as attrs gives them (%r for the nonce).
func finalMessage(t *testing.T, password, bare, serverFirst, attrs string) string {
	t.Helper()
	var nonce, salt string
	iter := 0
	for _, a := range strings.Split(serverFirst, ",") {
		switch {
		case strings.HasPrefix(a, "r="):
			nonce = a[2:]
		case strings.HasPrefix(a, "s="):
			salt = a[2:]
		case strings.HasPrefix(a, "i="):
			for _, d := range a[2:] {
				iter = iter*10 + int(d-'0')
			}
		}
	}
	saltBytes, err := base64.StdEncoding.DecodeString(salt)
	if err != nil {
		t.Fatal(err)
	}
	cred, err := deriveCredential(password, saltBytes, iter)
	if err != nil {
		t.Fatal(err)
	}
	withoutProof := strings.ReplaceAll(attrs, "%r", nonce)
	authMsg := bare + "," + serverFirst + "," + withoutProof
	clientKey := hmacSHA256(saltedPassword(t, password, saltBytes, iter), "Client Key")
	sig := hmacSHA256(cred.StoredKey, authMsg)
	proof := make([]byte, len(clientKey))
	for i := range proof {
		proof[i] = clientKey[i] ^ sig[i]
	}
	return withoutProof + ",p=" + base64.StdEncoding.EncodeToString(proof)
}

func saltedPassword(t *testing.T, password string, salt []byte, iter int) []byte {
	t.Helper()
	sp, err := pbkdf2.Key(sha256.New, password, salt, iter, sha256.Size)
	if err != nil {
		t.Fatal(err)
	}
	return sp
}

// TestSCRAMMessages: the SCRAM exchange against RFC 5802 and PostgreSQL:
// the y,, flag (a client that could bind to TLS when the server offers no
// -PLUS) logs in, its c= must match the header; channel binding, an
// authorization identity, mandatory extensions, attributes out of order,
// a bad nonce or proof and oversized or malformed messages are FATAL
// errors with their SQLSTATE (08P01, 0A000), never a panic; and an
// unknown user's salt is the same on every attempt.
func TestSCRAMMessages(t *testing.T) {
	users := map[string]Credential{}
	for _, u := range []string{"ana", "a,b=c"} {
		c, err := NewCredential("pw")
		if err != nil {
			t.Fatal(err)
		}
		users[u] = c
	}
	_, addr := testServer(t, func(s *Server) { s.Users, s.MaxMessageSize = users, 4096 })

	// A user name with , and = (which SCRAM escapes as =2C and =3D): the
	// startup packet's name is the one that counts, as in PostgreSQL.
	host, port, _ := splitAddr(addr)
	for _, n := range []string{"n=", "n=a=2Cb=3Dc", "n=whatever"} {
		c := dialSCRAM(t, addr, "a,b=c")
		bare := n + ",r=clientnonce"
		sf, e := c.first("n,," + bare)
		if e != nil {
			t.Fatalf("%s: %+v", n, e)
		}
		c.fe.Send(&pgproto3.SASLResponse{Data: []byte(finalMessage(t, "pw", bare, sf, "c=biws,r=%r"))})
		if v, e := c.receive(); e != nil || !strings.HasPrefix(v, "v=") {
			t.Fatalf("%s: %q %+v", n, v, e)
		}
	}
	cfg, err := pgx.ParseConfig("postgres://" + host + ":" + port + "/weir?sslmode=disable")
	if err != nil {
		t.Fatal(err)
	}
	cfg.User, cfg.Password = "a,b=c", "pw"
	conn, err := pgx.ConnectConfig(context.Background(), cfg)
	if err != nil {
		t.Fatalf("pgx as a,b=c: %v", err)
	}
	conn.Close(context.Background())

	// y,, logs in with c=eSws, and not with c=biws.
	for _, tc := range []struct{ cb, code string }{{"c=eSws", ""}, {"c=biws", "08P01"}} {
		c := dialSCRAM(t, addr, "ana")
		sf, e := c.first("y,,n=,r=abc")
		if e != nil {
			t.Fatal(e)
		}
		c.fe.Send(&pgproto3.SASLResponse{Data: []byte(finalMessage(t, "pw", "n=,r=abc", sf, tc.cb+",r=%r"))})
		v, e := c.receive()
		if tc.code == "" && (e != nil || !strings.HasPrefix(v, "v=")) || tc.code != "" && (e == nil || e.Code != tc.code) {
			t.Errorf("y,, with %s: %q %+v", tc.cb, v, e)
		}
	}

	// Refused client-first-messages.
	for _, tc := range []struct{ data, code string }{
		{"p=tls-server-end-point,,n=,r=abc", "08P01"},
		{"n,a=ana,n=,r=abc", "0A000"},
		{"n,,m=ext,n=,r=abc", "0A000"},
		{"n,,r=abc", "08P01"},
		{"n,,n=,x=1,r=abc", "08P01"},
		{"n,,n=,r=", "08P01"},
		{"n,,n=,r=a\x01b", "08P01"},
		{"n,,n=,r=a b", "08P01"},
		{"x,,n=,r=abc", "08P01"},
		{"", "08P01"},
		{"n,,n=,r=" + strings.Repeat("a", 5000), "08P01"}, // over MaxMessageSize
	} {
		c := dialSCRAM(t, addr, "ana")
		if _, e := c.first(tc.data); e == nil || e.Code != tc.code || e.Severity != "FATAL" {
			t.Errorf("%.40q: %+v, want FATAL %s", tc.data, e, tc.code)
		}
	}

	// Refused client-final-messages.
	for _, tc := range []struct{ attrs, proof, code string }{
		{"r=%r,c=biws", "", "08P01"},     // out of order
		{"c=biws,r=%rX", "", "08P01"},    // another nonce
		{"c=biws,r=%r", "!!!", "08P01"},  // proof not base64
		{"c=biws,r=%r", "YWJj", "08P01"}, // proof not 32 bytes
		{"c=biws,r=%r,x=ext", "", ""},    // an extension is allowed
	} {
		c := dialSCRAM(t, addr, "ana")
		sf, e := c.first("n,,n=,r=abc")
		if e != nil {
			t.Fatal(e)
		}
		msg := finalMessage(t, "pw", "n=,r=abc", sf, tc.attrs)
		if tc.proof != "" {
			msg = msg[:strings.LastIndex(msg, ",p=")+3] + tc.proof
		}
		c.fe.Send(&pgproto3.SASLResponse{Data: []byte(msg)})
		v, e := c.receive()
		if tc.code == "" && e != nil || tc.code != "" && (e == nil || e.Code != tc.code || e.Severity != "FATAL") {
			t.Errorf("%s %s: %q %+v, want %q", tc.attrs, tc.proof, v, e, tc.code)
		}
	}

	// Something else than a SASLResponse, and a malformed message.
	c := dialSCRAM(t, addr, "ana")
	if _, e := c.first("n,,n=,r=abc"); e != nil {
		t.Fatal(e)
	}
	c.fe.Send(&pgproto3.Query{String: "SELECT 1"})
	if _, e := c.receive(); e == nil || e.Code != "08P01" {
		t.Errorf("a Query in the SASL exchange: %+v", e)
	}
	c = dialSCRAM(t, addr, "ana")
	c.conn.Write([]byte{'p', 0, 0, 0, 8, 'x', 0, 0, 0}) // SASLInitialResponse with half a length
	if m, err := c.fe.Receive(); err != nil {
		t.Fatal(err)
	} else if e, ok := m.(*pgproto3.ErrorResponse); !ok || e.Code != "08P01" {
		t.Errorf("a malformed SASLInitialResponse: %#v", m)
	}

	// An unknown user gets the same salt every time, and a known user
	// hers; neither tells which users exist.
	salt := func(user string) string {
		c := dialSCRAM(t, addr, user)
		sf, e := c.first("n,,n=,r=abc")
		if e != nil {
			t.Fatal(e)
		}
		for _, a := range strings.Split(sf, ",") {
			if strings.HasPrefix(a, "s=") {
				return a[2:]
			}
		}
		t.Fatalf("no salt in %q", sf)
		return ""
	}
	if a, b := salt("eve"), salt("eve"); a != b {
		t.Errorf("unknown user: salts %s and %s", a, b)
	}
	if s := salt("ana"); s != base64.StdEncoding.EncodeToString(users["ana"].Salt) {
		t.Errorf("ana's salt: %s", s)
	}
	if salt("eve") == salt("mallory") {
		t.Errorf("two unknown users share a salt")
	}
	m := mockCredential("eve")
	if len(m.Salt) != 16 || len(m.StoredKey) != sha256.Size || m.Iterations != scramIterations {
		t.Errorf("mock credential %+v", m)
	}
}
