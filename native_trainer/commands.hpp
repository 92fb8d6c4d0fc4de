// One function per funnelcast command; each parses its own options from argv[first..].
#pragma once

namespace fc::cli {

int run_demo_data(int argc, char** argv, int first);
int run_train_forecast(int argc, char** argv, int first);
int run_train_score(int argc, char** argv, int first);
int run_score(int argc, char** argv, int first);
int run_drift(int argc, char** argv, int first);
int run_runs(int argc, char** argv, int first);
int run_forecast(int argc, char** argv, int first);
int run_kpi(int argc, char** argv, int first);
int run_anomalies(int argc, char** argv, int first);
int run_monitor(int argc, char** argv, int first);
int run_inspect(int argc, char** argv, int first);
int run_import(int argc, char** argv, int first);

}  // namespace fc::cli
