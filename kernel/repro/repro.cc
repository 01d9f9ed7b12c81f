// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockstep repro - Assembling the reproducer
 */
#include "kernel/repro/repro.h"

#include "conformance/trace/printer.h"
#include "kernel/executor/elf.h"
#include "kernel/executor/plan.h"
#include "kernel/repro/c_text.h"
#include "model/outcome.h"

#include <sstream>
#include <stdexcept>

namespace lockstep::repro {

namespace {

std::vector<Outcome> parse_outcomes(const std::vector<std::string> &texts, const char *what)
{
	std::vector<Outcome> out;

	for (const auto &text : texts) {
		std::istringstream items(text);

		for (std::string item; std::getline(items, item, '|');) {
			const auto o = parse_outcome(item);

			if (!o)
				throw std::invalid_argument(std::string("repro: ") + what +
							    ": not an outcome: '" + item + "'");
			out.push_back(*o);
		}
	}
	if (out.empty())
		throw std::invalid_argument(std::string("repro: ") + what + ": no outcome given");
	return out;
}

/* A C condition on `struct result r` that is true for @o. */
std::string condition(const Outcome &o)
{
	if (o.err)
		return "r.err == " + std::to_string(o.err) + " /* " + errno_name(o.err) + " */";
	if (o.value)
		return "(r.err == 0 && r.ret == " + std::to_string(*o.value) + ")";
	return "r.err == 0";
}

std::string comment_lines(const std::string &text, const std::string &indent)
{
	std::istringstream in(text);
	std::string out;

	for (std::string line; std::getline(in, line);) {
		for (std::size_t pos; (pos = line.find("*/")) != std::string::npos;)
			line.replace(pos, 2, "* /");
		out += (" *" + indent + line).find_last_not_of(' ') == std::string::npos
			       ? " *\n"
			       : " *" + indent + line + "\n";
	}
	return out;
}

std::string header(const Trace &t, const ReproTarget &target, const exec::Plan &plan,
		   const std::vector<Outcome> &model)
{
	const Step &s = t.steps[target.step];
	const bool threads = uses_threads(t);
	std::string out = "/*\n * lockstep reproducer for trace \"" + t.name + "\"\n *\n";

	for (const auto &d : t.doc)
		out += comment_lines(d, " ");
	if (!t.doc.empty())
		out += " *\n";
	out += " * Divergence at step " + std::to_string(target.step + 1) + " (line " +
	       std::to_string(s.loc.line) + ", task " + plan.task_names[plan.actor[target.step]] +
	       "):\n" + comment_lines(trace::print_step(s), "   ");
	std::string allowed;
	for (const auto &o : model)
		allowed += (allowed.empty() ? "" : "|") + format_outcome(o);
	out += " *   the model allows:  " + allowed + "\n *   the kernel gave:   " +
	       target.kernel_outcome + "\n *\n";
	out += std::string(" * Build:  cc ") + (threads ? "-pthread " : "") +
	       "-o repro repro.c\n"
	       " * Run:    ./repro   (as root it works in private mount and network\n"
	       " *         namespaces, on a tmpfs, like the lockstep executor)\n"
	       " * Exit:   1 if the kernel still gives an outcome the model does not allow,\n"
	       " *         0 if it now agrees with the model, 2 if the step was not reached.\n"
	       " *\n * The trace:\n";
	out += comment_lines(trace::print_trace(t), "   ");
	return out + " */\n";
}

std::string defines(const Trace &t, const ReproTarget &target, const exec::Plan &plan)
{
	std::string elf;

	for (const auto b : exec::tiny_elf)
		elf += std::to_string(b) + ", ";
	return "\n#define NTASKS " + std::to_string(plan.task_names.size()) + "\n#define TARGET " +
	       std::to_string(target.step) + "\n" + (uses_threads(t) ? "#define USE_THREADS\n" : "") +
	       "#define TINY_ELF_BYTES " + elf.substr(0, elf.size() - 2) + "\n";
}

std::string steps(const Trace &t, const exec::Plan &plan, std::size_t target)
{
	std::string vars = "\n/* The trace's fd names: every process has its own copies, threads share them. */\n";
	std::string cases, receives;

	for (const auto &n : plan.fd_names)
		vars += "HELPER int " + c_fd_var(n) + " = -1;\n";
	for (std::size_t i = 0; i <= target; i++) {
		cases += c_step(t, plan, i);
		if (std::holds_alternative<PassFd>(t.steps[i].op))
			receives += c_receive(t, i);
	}
	return vars + "\nstatic struct result step(int i)\n{\n\tswitch (i) {\n" + cases +
	       "\t}\n\treturn fail(EINVAL);\n}\n\n/* The receiving side of pass_fd steps. */\n"
	       "static struct result receive(int i, int sent)\n{\n\t(void)sent;\n\tswitch (i) {\n" +
	       receives + "\t}\n\treturn fail(EINVAL);\n}\n";
}

std::string tables(const Trace &t, const exec::Plan &plan, std::size_t target)
{
	std::string text, task, receiver;

	for (std::size_t i = 0; i <= target; i++) {
		const bool pass = std::holds_alternative<PassFd>(t.steps[i].op);

		text += "\t" + c_string(trace::print_step(t.steps[i])) + ",\n";
		task += std::to_string(plan.actor[i]) + ", ";
		receiver += (pass ? std::to_string(plan.other[i]) : "-1") + ", ";
	}
	return "\nstatic const char *const step_text[] = {\n" + text +
	       "};\nstatic const int step_task[] = { " + task +
	       "};\n/* The task that receives a pass_fd step's fd, or -1. */\n"
	       "static const int step_receiver[] = { " +
	       receiver + "};\n";
}

std::string verdict(const std::vector<Outcome> &model)
{
	std::string conds, allowed;

	for (const auto &o : model) {
		conds += "\tif (" + condition(o) + ")\n\t\treturn 1;\n";
		allowed += (allowed.empty() ? "" : "|") + format_outcome(o);
	}
	return "\n#define MODEL_OUTCOMES " + c_string(allowed) +
	       "\n\n/* Whether the model allows @r at the target step. */\n"
	       "static int admitted(struct result r)\n{\n" +
	       conds + "\treturn 0;\n}\n";
}

const char *const c_main = R"C(
int main(void)
{
	struct result r = { 0, 0 };
	char got[64] = "(not reached)";
	pid_t main_pid;
	int i, reached = 1;

	setvbuf(stdout, NULL, _IONBF, 0);
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	enter_root();
	if (build_tree()) {
		leave_root();
		return 2;
	}
	setup_tasks();
	catch_signals();
	main_pid = fork();
	if (main_pid == 0) {
		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		task_loop(0);
	}
	setpgid(main_pid, main_pid);
	for (i = 0; i <= TARGET; i++) {
		r = command(step_task[i], 0, i, 0);
		if (step_receiver[i] >= 0) {
			struct result sent = r;

			r = command(step_receiver[i], 1, i, !sent.err);
			if (sent.err)
				r = sent;
		}
		format_result(r, got, sizeof(got));
		printf("step %d: %-56s %s\n", i + 1, step_text[i], got);
		if (r.err == BLOCKED && i < TARGET) {
			printf("step %d never returned: step %d cannot be reached\n", i + 1, TARGET + 1);
			reached = 0;
			break;
		}
	}
	kill(-main_pid, SIGKILL);
	while (wait(NULL) > 0 || errno == EINTR)
		;
	leave_root();
	if (!reached)
		return 2;
	printf("expected (model): %s\n", MODEL_OUTCOMES);
	printf("got:              %s\n", got);
	if (admitted(r)) {
		printf("the kernel agrees with the model\n");
		return 0;
	}
	printf("divergence reproduced\n");
	return 1;
}
)C";

void check(const Trace &t, const ReproTarget &target, const exec::Plan &plan)
{
	if (target.step >= t.steps.size())
		throw std::invalid_argument("repro: step " + std::to_string(target.step + 1) +
					    " is beyond the trace's " +
					    std::to_string(t.steps.size()) + " steps");
	if (plan.error)
		throw std::invalid_argument("repro: " + *plan.error);
	for (const auto &r : t.requires_)
		if (r.kind == Requirement::Kind::model_only)
			throw std::invalid_argument("repro: the trace is model-only");
	for (std::size_t i = 0; i <= target.step; i++)
		if (t.steps[i].pause || std::holds_alternative<Resume>(t.steps[i].op))
			throw std::invalid_argument("repro: step " + std::to_string(i + 1) +
						    " has an interleaving point (model-only)");
}

} // namespace

std::string write_c_reproducer(const Trace &t, const ReproTarget &target)
{
	const exec::Plan plan = exec::make_plan(t, host_reference_profile(), true);

	check(t, target, plan);
	const auto model = parse_outcomes(target.model_outcomes, "model outcomes");

	parse_outcomes({target.kernel_outcome}, "kernel outcome");
	return header(t, target, plan, model) + c_includes + defines(t, target, plan) + c_runtime +
	       steps(t, plan, target.step) + tables(t, plan, target.step) + verdict(model) +
	       "\nstatic int build_tree(void)\n{\n" + c_build_tree(t) + "}\n" + c_main;
}

} // namespace lockstep::repro
