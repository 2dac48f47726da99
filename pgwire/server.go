package pgwire

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/weir-stream/weir/exec"
	"github.com/weir-stream/weir/planner/mql"
)

// Engine is what pgwire asks of the engine; *exec.Engine implements it,
// and tests substitute endless or slow engines.
type Engine interface {
	// QueryDeadLetters runs a query, handing its rows to fn and the dead
	// letters of rows that could not be processed to dead.
	QueryDeadLetters(ctx context.Context, p *mql.Processor, fn func(bson.D) error, dead func(bson.D)) error
	CreateConnection(name, typ string, options map[string]any) error
	Connections() []exec.Connection
	CreateProcessor(p *mql.Processor, orReplace bool) error
	StartProcessor(name string) error
	StopProcessor(name string) error
	DropProcessor(name string) error
	Processors() []exec.ProcessorInfo
}

var _ Engine = (*exec.Engine)(nil)

// Server accepts PostgreSQL connections and runs each as a session.
type Server struct {
	Engine Engine
	// TLS, when set, answers SSLRequest with 'S' and a handshake.
	TLS *tls.Config
	// Password, when set, is required from every client (SCRAM-SHA-256,
	// or cleartext if the client asks for it). Without it clients on
	// loopback are trusted and others refused.
	Password string
	// Users, when set, are the users who may log in and their verifiers
	// (LoadUsers reads a users file); other user names are refused with
	// 28P01. It takes precedence over Password.
	Users map[string]Credential
	// pwOnce derives pwCred, Password's verifier, once.
	pwOnce sync.Once
	pwCred Credential
	// AllowCleartext asks for the password in cleartext instead of
	// SCRAM, for clients without SCRAM; use it over TLS only.
	AllowCleartext bool
	Logger         *slog.Logger
	// MaxMessageSize bounds a message body; larger ones are a protocol
	// violation (08P01) rather than an allocation. 0 is 1 MiB.
	MaxMessageSize int
	// Trace, when set, receives every message of every session, in
	// pgproto3's trace format.
	Trace io.Writer
	// MaxSessions bounds concurrent sessions; 0 is 256.
	MaxSessions int

	mu        sync.Mutex
	sessions  map[uint32]*session
	nextPID   uint32
	listeners []net.Listener
	closing   bool
	wg        sync.WaitGroup
	// cancelMiss slows down guessing of cancel keys.
	cancelMiss time.Time
}

var (
	errShutdown     = errors.New("terminating connection due to administrator command")
	errDisconnected = errors.New("client disconnected")
	errUserCancel   = errors.New("canceling statement due to user request")
)

func (s *Server) logger() *slog.Logger {
	if s.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Logger
}

// Serve accepts connections on l until Shutdown.
func (s *Server) Serve(l net.Listener) error {
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		return net.ErrClosed
	}
	s.listeners = append(s.listeners, l)
	if s.sessions == nil {
		s.sessions = map[uint32]*session{}
	}
	s.mu.Unlock()
	for {
		c, err := l.Accept()
		if err != nil {
			s.mu.Lock()
			closing := s.closing
			s.mu.Unlock()
			if closing {
				return nil
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				time.Sleep(10 * time.Millisecond)
				continue
			}
			return err
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.handle(c)
		}()
	}
}

// Shutdown stops accepting, ends every session with FATAL 57P01 (a
// running query is cancelled first) and waits for them, or for ctx.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.closing = true
	for _, l := range s.listeners {
		l.Close()
	}
	for _, sess := range s.sessions {
		sess.cancel(errShutdown)
	}
	s.mu.Unlock()
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		s.mu.Lock()
		for _, sess := range s.sessions {
			sess.conn.Close()
		}
		s.mu.Unlock()
		return ctx.Err()
	}
}

func (s *Server) maxMessage() int {
	if s.MaxMessageSize > 0 {
		return s.MaxMessageSize
	}
	return 1 << 20
}

// handle runs one connection: startup, authentication, then the session.
func (s *Server) handle(c net.Conn) {
	defer c.Close()
	// The startup must finish promptly: a client that connects and says
	// nothing should not hold a goroutine forever.
	c.SetDeadline(time.Now().Add(30 * time.Second))
	conn, be, startup, err := s.startup(c)
	if err != nil {
		if be != nil {
			var pe *pgError
			if errors.As(err, &pe) {
				be.Send(pe.response())
				be.Flush()
			}
		}
		if err != io.EOF && !errors.Is(err, errCancelHandled) {
			s.logger().Debug("startup failed", "remote", c.RemoteAddr().String(), "err", err)
		}
		return
	}
	sess, err := s.newSession(conn, be, startup)
	if err != nil {
		var pe *pgError
		if errors.As(err, &pe) {
			be.Send(pe.response())
			be.Flush()
		}
		return
	}
	defer s.endSession(sess)
	if err := s.authenticate(sess); err != nil {
		var pe *pgError
		if errors.As(err, &pe) {
			be.Send(pe.response())
			be.Flush()
		}
		s.logger().Info("authentication failed", "user", sess.user, "remote", c.RemoteAddr().String(), "err", err)
		return
	}
	conn.SetDeadline(time.Time{})
	if s.Trace != nil {
		be.Trace(s.Trace, pgproto3.TracerOptions{SuppressTimestamps: true})
	}
	sess.serve()
}

var errCancelHandled = errors.New("cancel request handled")

// startup reads the first messages: SSLRequest and GSSENCRequest are
// answered, a CancelRequest is served (and the socket closed without a
// reply), and the StartupMessage is returned.
func (s *Server) startup(c net.Conn) (net.Conn, *pgproto3.Backend, *pgproto3.StartupMessage, error) {
	conn := c
	tlsDone := false
	for {
		// Read straight from the socket so nothing sits in a buffer when
		// TLS starts (CVE-2021-23214: bytes sent before the handshake
		// would be trusted as if encrypted).
		pkt, err := readStartupPacket(conn)
		be := pgproto3.NewBackend(bytes.NewReader(pkt), conn)
		if err != nil {
			if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
				return nil, nil, nil, io.EOF
			}
			return nil, be, nil, fatal(codeProtocolViolation, "invalid startup packet: "+err.Error())
		}
		m, err := be.ReceiveStartupMessage()
		if err != nil {
			return nil, be, nil, fatal(codeProtocolViolation, "invalid startup packet: "+err.Error())
		}
		switch m := m.(type) {
		case *pgproto3.SSLRequest:
			if tlsDone {
				return nil, be, nil, fatal(codeProtocolViolation, "SSLRequest after TLS was negotiated")
			}
			if s.TLS == nil {
				if _, err := conn.Write([]byte{'N'}); err != nil {
					return nil, nil, nil, err
				}
				continue
			}
			if _, err := conn.Write([]byte{'S'}); err != nil {
				return nil, nil, nil, err
			}
			tc := tls.Server(conn, s.TLS)
			if err := tc.Handshake(); err != nil {
				return nil, nil, nil, err
			}
			conn, tlsDone = tc, true
		case *pgproto3.GSSEncRequest:
			if _, err := conn.Write([]byte{'N'}); err != nil {
				return nil, nil, nil, err
			}
		case *pgproto3.CancelRequest:
			s.cancelRequest(m.ProcessID, m.SecretKey)
			return nil, nil, nil, errCancelHandled
		case *pgproto3.StartupMessage:
			be := pgproto3.NewBackend(conn, conn)
			be.SetMaxBodyLen(s.maxMessage())
			sm := &pgproto3.StartupMessage{ProtocolVersion: m.ProtocolVersion, Parameters: map[string]string{}}
			for k, v := range m.Parameters {
				sm.Parameters[k] = v
			}
			return conn, be, sm, nil
		default:
			return nil, be, nil, fatal(codeProtocolViolation, fmt.Sprintf("unexpected startup message %T", m))
		}
	}
}

// readStartupPacket reads exactly one startup packet (length, then body),
// never a byte more, so nothing the client sent after it (a TLS
// handshake, or injected bytes) sits in a buffer. Its length is checked
// before anything is allocated.
func readStartupPacket(r io.Reader) ([]byte, error) {
	var hdr [4]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return nil, err
	}
	n := int(int32(binary.BigEndian.Uint32(hdr[:])))
	if n < 8 || n > 10_000 {
		return nil, fmt.Errorf("invalid length of startup packet: %d", n)
	}
	buf := make([]byte, n)
	copy(buf, hdr[:])
	if _, err := io.ReadFull(r, buf[4:]); err != nil {
		return nil, err
	}
	return buf, nil
}

// cancelRequest cancels the statement a session is running when the key
// matches. It never replies; wrong keys are rate limited.
func (s *Server) cancelRequest(pid uint32, secret []byte) {
	s.mu.Lock()
	if wait := time.Until(s.cancelMiss); wait > 0 {
		s.mu.Unlock()
		time.Sleep(wait)
		s.mu.Lock()
	}
	sess := s.sessions[pid]
	ok := sess != nil && subtle.ConstantTimeCompare(sess.secret, secret) == 1
	if !ok {
		s.cancelMiss = time.Now().Add(100 * time.Millisecond)
	}
	s.mu.Unlock()
	if ok {
		sess.cancelActive()
	}
}

func (s *Server) newSession(conn net.Conn, be *pgproto3.Backend, sm *pgproto3.StartupMessage) (*session, error) {
	if sm.ProtocolVersion != pgproto3.ProtocolVersion30 {
		// 3.2 clients fall back to 3.0 when refused this way.
		return nil, fatal(codeFeatureNotSupport, "unsupported frontend protocol; weir speaks 3.0")
	}
	user := sm.Parameters["user"]
	if user == "" {
		return nil, fatal(codeInvalidAuthSpec, "no PostgreSQL user name specified in startup packet")
	}
	secret := make([]byte, 4)
	rand.Read(secret)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		return nil, fatal(codeAdminShutdown, "the server is shutting down")
	}
	max := s.MaxSessions
	if max <= 0 {
		max = 256
	}
	if len(s.sessions) >= max {
		return nil, fatal(codeTooManyConnections, "sorry, too many clients already")
	}
	for {
		s.nextPID++
		if s.nextPID == 0 || s.nextPID > 1<<30 {
			s.nextPID = 1
		}
		if _, used := s.sessions[s.nextPID]; !used {
			break
		}
	}
	ctx, cancel := context.WithCancelCause(context.Background())
	sess := &session{srv: s, conn: conn, be: be, pid: s.nextPID, secret: secret, user: user,
		ctx: ctx, cancel: cancel, txState: 'I',
		stmts: map[string]*prepared{}, portals: map[string]*portal{}, cursors: map[string]*portal{}}
	sess.database = sm.Parameters["database"]
	if sess.database == "" {
		sess.database = user
	}
	sess.settings = defaultSettings()
	for k, v := range sm.Parameters {
		switch k {
		case "user", "database", "replication", "options":
		default:
			sess.settings.set(k, v)
		}
	}
	if enc := sess.settings.get("client_encoding"); !isUTF8(enc) {
		sess.settings.set("client_encoding", "UTF8")
	}
	s.sessions[sess.pid] = sess
	return sess, nil
}

func (s *Server) endSession(sess *session) {
	sess.cancel(errDisconnected)
	s.mu.Lock()
	delete(s.sessions, sess.pid)
	s.mu.Unlock()
}

// isLoopback reports whether a client connected over loopback (or a Unix
// socket), where trust authentication is the default.
func isLoopback(a net.Addr) bool {
	switch a := a.(type) {
	case *net.TCPAddr:
		return a.IP.IsLoopback()
	case *net.UnixAddr:
		return true
	}
	return false
}

func putUint32(b []byte, v uint32) []byte { return binary.BigEndian.AppendUint32(b, v) }
