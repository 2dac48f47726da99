package pgwire

import (
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/xdg-go/stringprep"
)

// scramIterations is PostgreSQL's default scram_iterations.
const scramIterations = 4096

// authenticate runs the authentication exchange: trust for loopback
// clients when neither a password nor users are set, else SCRAM-SHA-256
// (RFC 5802/7677, as PostgreSQL does it), or cleartext when the server
// allows it.
func (s *Server) authenticate(sess *session) error {
	be := sess.be
	if s.Password == "" && s.Users == nil {
		if !isLoopback(sess.conn.RemoteAddr()) {
			return fatal(codeInvalidAuthSpec, "no password is configured (set WEIR_PASSWORD or --users): only clients on loopback are trusted")
		}
		be.Send(&pgproto3.AuthenticationOk{})
		return nil
	}
	if s.AllowCleartext {
		return s.authCleartext(sess)
	}
	return s.authSCRAM(sess)
}

func authFailed(user string) *pgError {
	return fatal(codeInvalidPassword, fmt.Sprintf("password authentication failed for user %q", user))
}

func (s *Server) authCleartext(sess *session) error {
	be := sess.be
	be.Send(&pgproto3.AuthenticationCleartextPassword{})
	if err := be.Flush(); err != nil {
		return err
	}
	be.SetAuthType(pgproto3.AuthTypeCleartextPassword)
	m, err := receiveAuth(be)
	if err != nil {
		return err
	}
	pm, ok := m.(*pgproto3.PasswordMessage)
	if !ok {
		return fatal(codeProtocolViolation, fmt.Sprintf("expected a password message, got %T", m))
	}
	cred, known := s.credential(sess.user)
	if !cred.verify(pm.Password) || !known {
		return authFailed(sess.user)
	}
	be.Send(&pgproto3.AuthenticationOk{})
	return nil
}

func (s *Server) authSCRAM(sess *session) error {
	be := sess.be
	be.Send(&pgproto3.AuthenticationSASL{AuthMechanisms: []string{"SCRAM-SHA-256"}})
	if err := be.Flush(); err != nil {
		return err
	}
	be.SetAuthType(pgproto3.AuthTypeSASL)
	m, err := receiveAuth(be)
	if err != nil {
		return err
	}
	init, ok := m.(*pgproto3.SASLInitialResponse)
	if !ok {
		return fatal(codeProtocolViolation, fmt.Sprintf("expected SASLInitialResponse, got %T", m))
	}
	if init.AuthMechanism != "SCRAM-SHA-256" {
		return fatal(codeProtocolViolation, fmt.Sprintf("unsupported SASL mechanism %q", init.AuthMechanism))
	}
	// client-first-message: gs2-header "n,," or "y,," (the client could
	// bind to the TLS channel but the server offered no -PLUS), then
	// client-first-message-bare "n=user,r=nonce[,extensions]". As in
	// PostgreSQL, the user name is the startup packet's, and n= is read
	// but not used (libpq sends it empty).
	cfm := string(init.Data)
	var gs2 string
	switch {
	case strings.HasPrefix(cfm, "n,,"), strings.HasPrefix(cfm, "y,,"):
		gs2, cfm = cfm[:3], cfm[3:]
	case strings.HasPrefix(cfm, "p="):
		return fatal(codeProtocolViolation, "malformed SCRAM message: the client selected SCRAM-SHA-256-PLUS, which is not supported")
	case strings.HasPrefix(cfm, "n,a="), strings.HasPrefix(cfm, "y,a="):
		return fatal(codeFeatureNotSupport, "client uses authorization identity, but it is not supported")
	default:
		return fatal(codeProtocolViolation, "malformed SCRAM message: unexpected channel-binding flag")
	}
	bare := strings.Split(cfm, ",")
	if strings.HasPrefix(bare[0], "m=") {
		return fatal(codeFeatureNotSupport, "client requires an unsupported SCRAM extension")
	}
	if len(bare) < 2 || !strings.HasPrefix(bare[0], "n=") || !strings.HasPrefix(bare[1], "r=") {
		return fatal(codeProtocolViolation, "malformed SCRAM message: expected n=USER,r=NONCE")
	}
	clientNonce := bare[1][len("r="):]
	if !printableNonce(clientNonce) {
		return fatal(codeProtocolViolation, "malformed SCRAM message: the nonce must be printable characters other than ','")
	}
	// An unknown user gets a made-up verifier and fails at the proof,
	// as in PostgreSQL, so the exchange does not tell which users exist.
	cred, known := s.credential(sess.user)
	sn := make([]byte, 18)
	rand.Read(sn)
	nonce := clientNonce + base64.StdEncoding.EncodeToString(sn)
	sfm := fmt.Sprintf("r=%s,s=%s,i=%d", nonce, base64.StdEncoding.EncodeToString(cred.Salt), cred.Iterations)
	be.Send(&pgproto3.AuthenticationSASLContinue{Data: []byte(sfm)})
	if err := be.Flush(); err != nil {
		return err
	}
	be.SetAuthType(pgproto3.AuthTypeSASLContinue)
	m, err = receiveAuth(be)
	if err != nil {
		return err
	}
	resp, ok := m.(*pgproto3.SASLResponse)
	if !ok {
		return fatal(codeProtocolViolation, fmt.Sprintf("expected SASLResponse, got %T", m))
	}
	// client-final-message: "c=biws,r=nonce[,extensions],p=proof", in
	// that order.
	final := string(resp.Data)
	i := strings.LastIndex(final, ",p=")
	if i < 0 {
		return fatal(codeProtocolViolation, "malformed SCRAM message: no proof")
	}
	withoutProof := final[:i]
	proof, err := base64.StdEncoding.DecodeString(final[i+3:])
	if err != nil || len(proof) != sha256.Size {
		return fatal(codeProtocolViolation, "malformed SCRAM message: bad proof")
	}
	attrs := strings.Split(withoutProof, ",")
	if len(attrs) < 2 || attrs[0] != "c="+base64.StdEncoding.EncodeToString([]byte(gs2)) {
		return fatal(codeProtocolViolation, "malformed SCRAM message: channel binding mismatch")
	}
	if attrs[1] != "r="+nonce {
		return fatal(codeProtocolViolation, "malformed SCRAM message: nonce mismatch")
	}
	authMsg := cfm + "," + sfm + "," + withoutProof
	sig := hmacSHA256(cred.StoredKey, authMsg)
	recovered := make([]byte, len(proof))
	for j := range proof {
		recovered[j] = proof[j] ^ sig[j]
	}
	got := sha256.Sum256(recovered)
	if subtle.ConstantTimeCompare(got[:], cred.StoredKey) != 1 || !known {
		return authFailed(sess.user)
	}
	serverSig := hmacSHA256(cred.ServerKey, authMsg)
	be.Send(&pgproto3.AuthenticationSASLFinal{Data: []byte("v=" + base64.StdEncoding.EncodeToString(serverSig))})
	be.Send(&pgproto3.AuthenticationOk{})
	return nil
}

func hmacSHA256(key []byte, msg string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(msg))
	return h.Sum(nil)
}

// printableNonce reports whether a nonce is RFC 5802's: printable ASCII
// other than ',', and not empty.
func printableNonce(n string) bool {
	for i := 0; i < len(n); i++ {
		if n[i] < 0x21 || n[i] > 0x7e || n[i] == ',' {
			return false
		}
	}
	return n != ""
}

// receiveAuth reads the client's next authentication message; a malformed
// or oversized one is 08P01, as after authentication.
func receiveAuth(be *pgproto3.Backend) (pgproto3.FrontendMessage, error) {
	m, err := be.Receive()
	var tooLong *pgproto3.ExceededMaxBodyLenErr
	switch {
	case err == nil:
		return m, nil
	case errors.As(err, &tooLong):
		return nil, fatal(codeProtocolViolation, fmt.Sprintf("invalid message: message of %d bytes exceeds the limit of %d", tooLong.ActualBodyLen, tooLong.MaxExpectedBodyLen))
	case isDecodeError(err):
		return nil, fatal(codeProtocolViolation, "invalid message: "+err.Error())
	}
	return nil, err
}

// Credential is a user's SCRAM-SHA-256 verifier, as PostgreSQL keeps it in
// pg_authid.rolpassword: the salt, the iteration count, StoredKey and
// ServerKey. It checks a password without holding it.
type Credential struct {
	Salt                 []byte
	Iterations           int
	StoredKey, ServerKey []byte
}

// NewCredential derives a verifier for password with a random salt and
// PostgreSQL's default 4096 iterations.
func NewCredential(password string) (Credential, error) {
	salt := make([]byte, 16)
	rand.Read(salt)
	return deriveCredential(password, salt, scramIterations)
}

func deriveCredential(password string, salt []byte, iterations int) (Credential, error) {
	salted, err := pbkdf2.Key(sha256.New, saslprep(password), salt, iterations, sha256.Size)
	if err != nil {
		return Credential{}, err
	}
	stored := sha256.Sum256(hmacSHA256(salted, "Client Key"))
	return Credential{Salt: salt, Iterations: iterations, StoredKey: stored[:], ServerKey: hmacSHA256(salted, "Server Key")}, nil
}

// saslprep normalizes a password as PostgreSQL and libpq do before SCRAM
// (RFC 4013 SASLprep: NFKC, mapped and prohibited characters), so a
// non-ASCII password typed into psql matches the one weir was given;
// like PostgreSQL, a password SASLprep refuses is used as it is.
func saslprep(password string) string {
	if p, err := stringprep.SASLprep.Prepare(password); err == nil {
		return p
	}
	return password
}

// verify checks a cleartext password against the verifier.
func (c Credential) verify(password string) bool {
	if len(c.Salt) == 0 {
		return false
	}
	d, err := deriveCredential(password, c.Salt, c.Iterations)
	return err == nil && subtle.ConstantTimeCompare(d.StoredKey, c.StoredKey) == 1
}

// String is the verifier in PostgreSQL's format:
// SCRAM-SHA-256$ITERATIONS:SALT$STOREDKEY:SERVERKEY (base64).
func (c Credential) String() string {
	b := base64.StdEncoding.EncodeToString
	return fmt.Sprintf("SCRAM-SHA-256$%d:%s$%s:%s", c.Iterations, b(c.Salt), b(c.StoredKey), b(c.ServerKey))
}

// ParseCredential reads a verifier in PostgreSQL's format (what
// Credential.String prints, and what pg_authid.rolpassword holds).
func ParseCredential(v string) (Credential, error) {
	rest, ok := strings.CutPrefix(v, "SCRAM-SHA-256$")
	if !ok {
		return Credential{}, errors.New("not a SCRAM-SHA-256 verifier (SCRAM-SHA-256$ITERATIONS:SALT$STOREDKEY:SERVERKEY)")
	}
	params, keys, ok := strings.Cut(rest, "$")
	iter, salt, ok1 := strings.Cut(params, ":")
	stored, server, ok2 := strings.Cut(keys, ":")
	if !ok || !ok1 || !ok2 {
		return Credential{}, errors.New("malformed SCRAM-SHA-256 verifier: want SCRAM-SHA-256$ITERATIONS:SALT$STOREDKEY:SERVERKEY")
	}
	var c Credential
	var err error
	if c.Iterations, err = strconv.Atoi(iter); err != nil || c.Iterations < 1 || c.Iterations > 1<<20 {
		return Credential{}, fmt.Errorf("malformed SCRAM-SHA-256 verifier: iteration count %q", iter)
	}
	d := base64.StdEncoding.DecodeString
	if c.Salt, err = d(salt); err != nil || len(c.Salt) == 0 {
		return Credential{}, errors.New("malformed SCRAM-SHA-256 verifier: salt is not base64")
	}
	if c.StoredKey, err = d(stored); err != nil || len(c.StoredKey) != sha256.Size {
		return Credential{}, errors.New("malformed SCRAM-SHA-256 verifier: StoredKey is not 32 bytes of base64")
	}
	if c.ServerKey, err = d(server); err != nil || len(c.ServerKey) != sha256.Size {
		return Credential{}, errors.New("malformed SCRAM-SHA-256 verifier: ServerKey is not 32 bytes of base64")
	}
	return c, nil
}

// LoadUsers reads a users file: one "NAME:SECRET" per line, SECRET a
// SCRAM-SHA-256 verifier (as `weir serve --hash-password` or PostgreSQL's
// pg_authid.rolpassword gives it) or else a cleartext password; blank
// lines and lines starting with # are skipped.
func LoadUsers(path string) (map[string]Credential, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	users := map[string]Credential{}
	for i, line := range strings.Split(string(data), "\n") {
		line = strings.TrimRight(line, "\r")
		if strings.TrimSpace(line) == "" || strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		name, secret, ok := strings.Cut(line, ":")
		if !ok || name == "" || secret == "" {
			return nil, fmt.Errorf("%s:%d: want NAME:SECRET", path, i+1)
		}
		if _, dup := users[name]; dup {
			return nil, fmt.Errorf("%s:%d: user %q appears twice", path, i+1, name)
		}
		var c Credential
		if strings.HasPrefix(secret, "SCRAM-SHA-256$") {
			c, err = ParseCredential(secret)
		} else {
			c, err = NewCredential(secret)
		}
		if err != nil {
			return nil, fmt.Errorf("%s:%d: user %q: %v", path, i+1, name, err)
		}
		users[name] = c
	}
	if len(users) == 0 {
		return nil, fmt.Errorf("%s: no users", path)
	}
	return users, nil
}

// credential is the verifier user must match, and whether user may log
// in at all: from Users when set, else from Password (any user name). An
// unknown user gets a verifier no password matches.
func (s *Server) credential(user string) (Credential, bool) {
	if s.Users != nil {
		if c, ok := s.Users[user]; ok {
			return c, true
		}
		return mockCredential(user), false
	}
	s.pwOnce.Do(func() { s.pwCred, _ = NewCredential(s.Password) })
	return s.pwCred, true
}

// mockKey makes the salts of unknown users.
var mockKey = sync.OnceValue(func() []byte {
	k := make([]byte, 32)
	rand.Read(k)
	return k
})

// mockCredential is an unknown user's verifier, as PostgreSQL's
// scram_mock_salt makes it: the same salt on every attempt (from the user
// name and a key of the process's), so that two attempts don't tell an
// unknown user from a known one by a changing salt, and no key derivation,
// so they don't by the time it takes either. No proof matches its keys.
func mockCredential(user string) Credential {
	salt := hmacSHA256(mockKey(), "salt\x00"+user)[:16]
	stored := hmacSHA256(mockKey(), "stored\x00"+user)
	server := hmacSHA256(mockKey(), "server\x00"+user)
	return Credential{Salt: salt, Iterations: scramIterations, StoredKey: stored, ServerKey: server}
}
