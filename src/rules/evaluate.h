// Rule evaluation: a pure function from (directory, rules, evaluation day) to a Plan. It
// reads no clock, time zone, locale or environment, so the same inputs give the same plan on
// every machine.
//
// Inactivity, exactly: a rule with `products` looks only at accounts with access to at least
// one of them, and an account's last activity is its latest activity over those products (all
// its products when `products` is absent). `inactive_days: N` selects an account whose last
// active UTC day is at least N days before the evaluation day. An account with access but no
// recorded activity (none, or only epoch-zero values) is never active. Only
// `never_active_days` selects it, counted from its added-to-org day. Without that day the
// account is listed as excluded with an unknown-activity reason and never acted on.
#pragma once

#include <vector>

#include "core/directory.h"
#include "core/plan.h"
#include "core/time.h"
#include "rules/rule.h"

namespace adminauto::rules {

// Evaluates `rules` in order over `directory` on `evaluation_day`. Actions and exclusions
// follow the directory's account order, and within one account the rules' order. The fingerprint's
// org id and evaluation day are set; the caller fills in the source and rules hashes. Thread-safe;
// borrows its arguments.
Plan Evaluate(const Directory& directory, const std::vector<Rule>& rules, Day evaluation_day);

}  // namespace adminauto::rules
