// Which column plays which role in a table: detected from the column names and
// types with the registry's synonyms, or set by the caller, and checked.
#pragma once
#include <string>

#include "funnelcast/io/table.hpp"
#include "funnelcast/schema/registry.hpp"

namespace fc::schema {

// Fills every empty role from the table's column names and leaves the caller's choices
// alone. A name matches a role when, ignoring case, spaces, '_', '-' and '.', it equals one
// of the role's synonyms, or its last word does ("Marketing_Spend", "total_leads",
// "spend_usd" after unit words) and it is not a ratio ("cost_per_lead", "conversion_rate").
// For time, the only timestamp-typed column is taken when no name matches.
// A role the caller set to a column that does not exist, one column given for two roles,
// or a role column of the wrong type (leads/spend/revenue/cpl/roi/clicks not numbers, time
// not timestamps) is an fc::Error naming the file, the first offending line and value.
Roles detect_roles(const Table& table, Roles given = {});

// The role a column plays in `roles`, or "" when none.
std::string role_of(const Roles& roles, const std::string& column);
// "timestamp, leads, spend" - the table's column names, for messages.
std::string column_list(const Table& table);

}  // namespace fc::schema
