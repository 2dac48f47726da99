package registry

import (
	"bytes"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/goccy/go-yaml"
)

// Registry is a set of named connections: what a command line's --conn
// flags and --config file, or an engine's CREATE CONNECTIONs, bound.
// It is not safe for concurrent changes; Open may run concurrently.
type Registry struct {
	conns map[string]*Connection
}

// New returns an empty registry.
func New() *Registry { return &Registry{conns: map[string]*Connection{}} }

// Add registers c; a name is bound once.
func (r *Registry) Add(c *Connection) error {
	if _, dup := r.conns[c.Name]; dup {
		return fmt.Errorf("connection %q is bound twice", c.Name)
	}
	r.conns[c.Name] = c
	return nil
}

// Get returns the connection called name.
func (r *Registry) Get(name string) (*Connection, bool) {
	c, ok := r.conns[name]
	return c, ok
}

// Names lists the connections, sorted.
func (r *Registry) Names() []string {
	names := make([]string, 0, len(r.conns))
	for n := range r.conns {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Resolve is the connection name rule every part of weir follows: a stage
// without a connectionName uses "default", else the only connection.
func (r *Registry) Resolve(name string) (*Connection, error) {
	if name == "" {
		if c, ok := r.conns["default"]; ok {
			return c, nil
		}
		if len(r.conns) == 1 {
			for _, c := range r.conns {
				return c, nil
			}
		}
		return nil, fmt.Errorf("no connectionName, and no connection named default")
	}
	if c, ok := r.conns[name]; ok {
		return c, nil
	}
	if len(r.conns) == 0 {
		return nil, fmt.Errorf("unknown connection %q (none is registered)", name)
	}
	return nil, fmt.Errorf("unknown connection %q (have %s)", name, strings.Join(r.Names(), ", "))
}

// configFile is weir.yaml: connections by name, each a type and its
// options (or a uri). Unknown top-level keys are errors, so a typo such
// as "conections:" is not silently an empty file.
type configFile struct {
	Connections yaml.MapSlice `yaml:"connections"`
}

// LoadConfig reads a config file (see docs/connections.md) into r.
func (r *Registry) LoadConfig(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	return r.ParseConfig(path, data)
}

// ParseConfig reads a config file's text; name is used in messages.
func (r *Registry) ParseConfig(name string, data []byte) error {
	var cf configFile
	if err := yaml.UnmarshalWithOptions(data, &cf, yaml.Strict()); err != nil {
		return fmt.Errorf("%s: %s", name, yaml.FormatError(err, false, true))
	}
	if len(bytes.TrimSpace(data)) > 0 && cf.Connections == nil {
		return fmt.Errorf("%s: no connections: section", name)
	}
	for _, item := range cf.Connections {
		cname, ok := item.Key.(string)
		if !ok {
			return fmt.Errorf("%s: connection name %v is not a string", name, item.Key)
		}
		var opts map[string]any
		switch v := item.Value.(type) {
		case string:
			// A bare URI: `kafka: kafka://127.0.0.1:9092`.
			opts = map[string]any{"uri": v}
		case map[string]any:
			opts = v
		case yaml.MapSlice:
			opts = map[string]any{}
			for _, kv := range v {
				opts[fmt.Sprint(kv.Key)] = kv.Value
			}
		default:
			return fmt.Errorf("%s: connection %s: expected a URI or a map of options, found %T", name, cname, item.Value)
		}
		typ := ""
		if t, ok := opts["type"]; ok {
			s, ok := t.(string)
			if !ok {
				return fmt.Errorf("%s: connection %s: type is %v, not a string", name, cname, t)
			}
			typ = s
			delete(opts, "type")
		}
		c, err := FromOptions(cname, typ, opts)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if err := r.Add(c); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	return nil
}
