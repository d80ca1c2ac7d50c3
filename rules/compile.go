package rules

import (
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/vm"
)

// MaxConditionLen bounds a condition's source, in bytes.
const MaxConditionLen = 4000

// CompileError is a condition that does not compile, with where.
type CompileError struct {
	Line    int    `json:"line"`
	Column  int    `json:"column"`
	Message string `json:"message"`
}

func (e *CompileError) Error() string {
	return fmt.Sprintf("line %d, column %d: %s", e.Line, e.Column, e.Message)
}

// ErrUnknownEvent is a rule for an event that does not exist.
var ErrUnknownEvent = errors.New("unknown event; use one of " + strings.Join(Events, ", "))

// Compile checks a condition against its event's environment and returns
// the program. An empty condition always matches. Errors are CompileError
// (with line and column) or ErrUnknownEvent.
func Compile(event, condition string) (*vm.Program, error) {
	env, ok := envFor(event)
	if !ok {
		return nil, ErrUnknownEvent
	}
	if strings.TrimSpace(condition) == "" {
		condition = "true"
	}
	if len(condition) > MaxConditionLen {
		return nil, &CompileError{Line: 1, Column: 1, Message: fmt.Sprintf("condition is longer than %d characters", MaxConditionLen)}
	}
	prog, err := expr.Compile(condition, expr.Env(env), expr.AsBool())
	if err != nil {
		var fe *file.Error
		if errors.As(err, &fe) {
			return nil, &CompileError{Line: max(fe.Line, 1), Column: fe.Column + 1, Message: fe.Message}
		}
		return nil, &CompileError{Line: 1, Column: 1, Message: err.Error()}
	}
	return prog, nil
}

// Match evaluates a compiled condition in env, which must be the event's
// environment type.
func Match(prog *vm.Program, env any) (bool, error) {
	out, err := expr.Run(prog, env)
	if err != nil {
		return false, err
	}
	b, ok := out.(bool)
	if !ok {
		return false, fmt.Errorf("condition returned %T, not a boolean", out)
	}
	return b, nil
}

// Cache keeps compiled programs by rule id and version, so each version of
// a rule compiles once per process.
type Cache struct {
	mu    sync.Mutex
	progs map[string]*vm.Program
}

// Get returns the program of a rule version, compiling it on first use.
func (c *Cache) Get(ruleID string, version int, event, condition string) (*vm.Program, error) {
	key := fmt.Sprintf("%s@%d", ruleID, version)
	c.mu.Lock()
	p, ok := c.progs[key]
	c.mu.Unlock()
	if ok {
		return p, nil
	}
	p, err := Compile(event, condition)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.progs == nil {
		c.progs = map[string]*vm.Program{}
	}
	c.progs[key] = p
	c.mu.Unlock()
	return p, nil
}
