// The list of objectives and the lookups everything else goes through, so an objective is
// chosen in exactly one place.
#include "funnelcast/gbdt/objective.hpp"

#include <algorithm>

#include "funnelcast/base/error.hpp"

namespace fc::gbdt {

// The built-in objectives, one line each, in the order every listing shows them. Each
// entry names the function the objective's own file (objective_<name>.cpp) defines.
#define FC_GBDT_OBJECTIVES(X) \
  X(squared_error_objective)  \
  X(poisson_objective)        \
  X(binary_objective)

#define FC_DECLARE_OBJECTIVE(factory) const ObjectiveFunction& factory();
FC_GBDT_OBJECTIVES(FC_DECLARE_OBJECTIVE)
#undef FC_DECLARE_OBJECTIVE

namespace {

std::vector<const ObjectiveFunction*>& registry() {
#define FC_LIST_OBJECTIVE(factory) &factory(),
  static std::vector<const ObjectiveFunction*> list = {FC_GBDT_OBJECTIVES(FC_LIST_OBJECTIVE)};
#undef FC_LIST_OBJECTIVE
  return list;
}

bool answers_to(const ObjectiveFunction& o, const std::string& name) {
  if (name == o.name()) return true;
  const std::vector<std::string> aliases = o.aliases();
  return std::find(aliases.begin(), aliases.end(), name) != aliases.end();
}

}  // namespace

double weighted_label_mean(const double* y, const double* w, size_t n, double positive_weight) {
  double sy = 0, sw = 0;
  for (size_t i = 0; i < n; ++i) {
    double wi = w ? w[i] : 1.0;
    if (y[i] > 0.5) wi *= positive_weight;
    sy += wi * y[i];
    sw += wi;
  }
  return sy / sw;
}

const std::vector<const ObjectiveFunction*>& objectives() { return registry(); }

const ObjectiveFunction* find_objective(Objective id) {
  for (const ObjectiveFunction* o : registry()) {
    if (o->id() == id) return o;
  }
  return nullptr;
}

const ObjectiveFunction* find_objective_named(const std::string& name_or_alias) {
  for (const ObjectiveFunction* o : registry()) {
    if (answers_to(*o, name_or_alias)) return o;
  }
  return nullptr;
}

const ObjectiveFunction& objective_function(Objective id) {
  const ObjectiveFunction* o = find_objective(id);
  if (!o) throw Error("model: unknown objective");
  return *o;
}

std::string objective_names(bool (*keep)(const ObjectiveFunction&)) {
  std::vector<std::string> names;
  for (const ObjectiveFunction* o : registry()) {
    if (!keep || keep(*o)) names.emplace_back(o->name());
  }
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += i + 1 == names.size() ? " or " : ", ";
    out += names[i];
  }
  return out;
}

ObjectiveRegistration::ObjectiveRegistration(const ObjectiveFunction& objective)
    : objective_(&objective) {
  if (find_objective(objective.id())) {
    throw Error("objective '" + std::string(objective.name()) + "': code " +
                std::to_string(static_cast<int>(objective.id())) + " is taken");
  }
  std::vector<std::string> names = objective.aliases();
  names.emplace_back(objective.name());
  for (const std::string& name : names) {
    if (find_objective_named(name)) throw Error("objective name '" + name + "' is taken");
  }
  registry().push_back(objective_);
}

ObjectiveRegistration::~ObjectiveRegistration() {
  auto& list = registry();
  list.erase(std::remove(list.begin(), list.end(), objective_), list.end());
}

}  // namespace fc::gbdt
