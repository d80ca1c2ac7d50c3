package rules

import (
	"fmt"
	"strconv"
	"strings"
)

// cronFields are the five fields of a cron expression and their ranges.
var cronFields = []struct {
	name     string
	min, max int
}{{"minute", 0, 59}, {"hour", 0, 23}, {"day of month", 1, 31}, {"month", 1, 12}, {"day of week", 0, 6}}

// CheckCron validates a five-field cron expression (minute hour day month
// weekday; each field *, n, a-b, lists and /step), as scheduled rules
// use, and says which field is wrong.
func CheckCron(expr string) error {
	fields := strings.Fields(expr)
	if len(fields) != len(cronFields) {
		return fmt.Errorf("five fields: minute hour day-of-month month day-of-week, e.g. \"0 9 * * 1-5\"")
	}
	for i, f := range fields {
		spec := cronFields[i]
		for _, item := range strings.Split(f, ",") {
			if err := checkCronItem(item, spec.min, spec.max); err != nil {
				return fmt.Errorf("%s %q: %v", spec.name, f, err)
			}
		}
	}
	return nil
}

func checkCronItem(item string, lo, hi int) error {
	base, step, hasStep := strings.Cut(item, "/")
	if hasStep {
		if n, err := strconv.Atoi(step); err != nil || n < 1 {
			return fmt.Errorf("the step must be a positive number")
		}
	}
	if base == "*" {
		return nil
	}
	from, to, isRange := strings.Cut(base, "-")
	a, err := strconv.Atoi(from)
	if err != nil || a < lo || a > hi {
		return fmt.Errorf("values go from %d to %d", lo, hi)
	}
	if isRange {
		b, err := strconv.Atoi(to)
		if err != nil || b < a || b > hi {
			return fmt.Errorf("a range goes up, within %d to %d", lo, hi)
		}
	}
	return nil
}
