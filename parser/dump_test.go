package parser

import (
	"fmt"
	"reflect"
	"strings"
)

// dump prints an AST as an indented tree with each node's line:column, so
// golden files show precedence and positions that canonical SQL hides.
func dump(n Node) string {
	var b strings.Builder
	dumpValue(&b, "", reflect.ValueOf(n), 0)
	return b.String()
}

var nodeType = reflect.TypeOf((*Node)(nil)).Elem()

func dumpValue(b *strings.Builder, label string, v reflect.Value, depth int) {
	indent := strings.Repeat("  ", depth)
	if v.Kind() == reflect.Interface {
		v = v.Elem()
	}
	if !v.IsValid() || (v.Kind() == reflect.Pointer && v.IsNil()) {
		return
	}
	s := v.Elem()
	t := s.Type()
	p := v.Interface().(Node).Position()
	fmt.Fprintf(b, "%s%s%s @%d:%d", indent, label, t.Name(), p.Line, p.Column)
	type child struct {
		name string
		v    reflect.Value
	}
	var children []child
	for i := 0; i < t.NumField(); i++ {
		f, fv := t.Field(i), s.Field(i)
		switch {
		case f.Name == "Pos":
		case f.Type.Implements(nodeType):
			children = append(children, child{f.Name, fv})
		case f.Type.Kind() == reflect.Slice && f.Type.Elem().Implements(nodeType):
			for j := 0; j < fv.Len(); j++ {
				children = append(children, child{fmt.Sprintf("%s[%d]", f.Name, j), fv.Index(j)})
			}
		case fv.IsZero():
		case f.Type.Kind() == reflect.String:
			fmt.Fprintf(b, " %s=%q", f.Name, fv.String())
		default:
			fmt.Fprintf(b, " %s=%v", f.Name, fv.Interface())
		}
	}
	b.WriteString("\n")
	for _, c := range children {
		dumpValue(b, c.name+": ", c.v, depth+1)
	}
}
