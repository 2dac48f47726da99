package mongodb

import (
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// What the package's external tests (package mongodb_test, which may
// import exec: the runtime over this connector) use of the internal
// helpers.

// FerretURI is the URI of the package's in-process FerretDB.
func FerretURI() string { return testURI }

// MockServer is a scripted server (mock_test.go) for external tests.
type MockServer struct {
	ms     *mockServer
	Client *Client
}

// NewMockServer returns a client of connection name on a scripted server.
func NewMockServer(t *testing.T, name string, replies ...bson.D) *MockServer {
	ms := newMockServer(t, name, replies...)
	return &MockServer{ms: ms, Client: ms.client}
}

// Reply appends replies to the script.
func (m *MockServer) Reply(replies ...bson.D) { m.ms.reply(replies...) }

// Commands returns the commands sent so far named name ("" for all).
func (m *MockServer) Commands(name string) []bson.Raw { return m.ms.commands(name) }

// Names lists the names of the commands sent so far.
func (m *MockServer) Names() []string { return m.ms.names() }

// Script helpers, as in mock_test.go.
var (
	CursorReply  = cursorReply
	WaitReply    = waitReply
	OkReply      = okReply
	CommandError = commandError
	Quiet        = quiet
)
