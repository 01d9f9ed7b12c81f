// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockstep runner - Reports: KTAP, JUnit, JSON and the summary table
 */
#include "conformance/runner/report.h"

#include "conformance/trace/printer.h"

#include <cstdio>
#include <map>
#include <sstream>

namespace lockstep::runner {

namespace {

/* Groups in order of first appearance, with the indices of their cases. */
std::vector<std::pair<std::string, std::vector<std::size_t>>>
by_group(const std::vector<CaseResult> &results)
{
	std::vector<std::pair<std::string, std::vector<std::size_t>>> groups;
	std::map<std::string, std::size_t> index;

	for (std::size_t i = 0; i < results.size(); i++) {
		const auto &g = results[i].group;
		auto it = index.find(g);

		if (it == index.end()) {
			it = index.emplace(g, groups.size()).first;
			groups.push_back({g, {}});
		}
		groups[it->second].second.push_back(i);
	}
	return groups;
}

/* KTAP test names: no '#', no spaces. */
std::string ktap_name(std::string s)
{
	for (auto &ch : s)
		if (ch == ' ' || ch == '#')
			ch = '_';
	return s;
}

std::string xml_escape(const std::string &s)
{
	std::string out;

	for (const char ch : s) {
		switch (ch) {
		case '&':
			out += "&amp;";
			break;
		case '<':
			out += "&lt;";
			break;
		case '>':
			out += "&gt;";
			break;
		case '"':
			out += "&quot;";
			break;
		default:
			out += ch;
		}
	}
	return out;
}

std::string json_escape(const std::string &s)
{
	std::string out = "\"";

	for (const unsigned char ch : s) {
		if (ch == '"' || ch == '\\') {
			out += '\\';
			out += static_cast<char>(ch);
		} else if (ch < 0x20) {
			char buf[8];

			std::snprintf(buf, sizeof(buf), "\\u%04x", ch);
			out += buf;
		} else {
			out += static_cast<char>(ch);
		}
	}
	return out + "\"";
}

} // namespace

std::vector<std::string> describe_divergence(const Case &c, const CaseResult &r)
{
	std::vector<std::string> lines;
	const auto &d = *r.divergence;

	lines.push_back("case " + r.name + (r.file.empty() ? "" : " (" + r.file + ")"));
	if (d.kind == "run") {
		lines.push_back("the run failed: " + d.note);
	} else {
		const Step &s = c.trace.steps.at(d.step);

		lines.push_back("first divergence at step " + std::to_string(d.step + 1) +
				" (line " + std::to_string(s.loc.line) + "): " +
				trace::print_step(s));
		lines.push_back("  kernel: " + format_outcome(d.observed) +
				(d.note.empty() ? "" : " (" + d.note + ")"));
		if (d.kind == "pinned")
			lines.push_back("  pinned by the trace: " + format_outcomes(d.allowed));
		else if (d.kind == "model")
			lines.push_back("  the model does not allow the pinned outcome; "
					"model allows: " + format_outcomes(d.allowed));
		else
			lines.push_back("  model allows: " + format_outcomes(d.allowed));
		lines.push_back("  why (model):");
		for (const auto &w : d.why)
			lines.push_back("    " + w);
	}
	lines.push_back("trace:");
	std::istringstream text(trace::print_trace(c.trace));
	for (std::string line; std::getline(text, line);)
		lines.push_back("  " + line);
	if (!r.file.empty())
		lines.push_back("reproduce: lockstep repro " + r.file);
	return lines;
}

void write_ktap(std::ostream &out, const KernelInfo &k, const std::vector<Case> &cases,
		const std::vector<CaseResult> &results)
{
	const auto groups = by_group(results);
	int gnum = 0;

	out << "KTAP version 1\n";
	out << "# lockstep: kernel " << k.uname << ", profile "
	    << format_profile(k.profile) << "\n";
	for (const auto &n : k.notes)
		out << "# " << n << "\n";
	out << "1.." << groups.size() << "\n";
	for (const auto &[group, idx] : groups) {
		bool failed = false;
		bool all_skipped = true;
		int num = 0;

		out << "  KTAP version 1\n";
		out << "  # Subtest: " << ktap_name(group) << "\n";
		out << "  1.." << idx.size() << "\n";
		for (const std::size_t i : idx) {
			const CaseResult &r = results[i];
			const std::string name = ktap_name(r.name);

			num++;
			if (r.verdict == Verdict::fail) {
				for (const auto &line : describe_divergence(cases[i], r))
					out << "  # " << line << "\n";
			}
			switch (r.verdict) {
			case Verdict::pass:
				out << "  ok " << num << " " << name << "\n";
				break;
			case Verdict::fail:
				out << "  not ok " << num << " " << name << "\n";
				break;
			case Verdict::skip:
				out << "  ok " << num << " " << name << " # SKIP " << r.reason << "\n";
				break;
			case Verdict::xfail:
				out << "  ok " << num << " " << name << " # XFAIL " << r.reason << "\n";
				break;
			}
			failed = failed || r.verdict == Verdict::fail;
			all_skipped = all_skipped && r.verdict == Verdict::skip;
		}
		gnum++;
		out << (failed ? "not ok " : "ok ") << gnum << " " << ktap_name(group)
		    << (all_skipped ? " # SKIP every case skipped" : "") << "\n";
	}
}

void write_summary(std::ostream &out, const std::vector<CaseResult> &results)
{
	std::map<std::string, std::array<int, 4>> table;
	std::array<int, 4> total{};
	char line[160];

	for (const auto &r : results) {
		table[r.group][static_cast<int>(r.verdict)]++;
		total[static_cast<int>(r.verdict)]++;
	}
	std::snprintf(line, sizeof(line), "# %-28s %6s %6s %6s %6s\n", "group", "pass",
		      "fail", "skip", "xfail");
	out << line;
	for (const auto &[g, c] : table) {
		std::snprintf(line, sizeof(line), "# %-28s %6d %6d %6d %6d\n", g.c_str(),
			      c[0], c[1], c[2], c[3]);
		out << line;
	}
	std::snprintf(line, sizeof(line), "# %-28s %6d %6d %6d %6d\n", "total", total[0],
		      total[1], total[2], total[3]);
	out << line;
}

void write_junit(std::ostream &out, const KernelInfo &k, const std::vector<Case> &cases,
		 const std::vector<CaseResult> &results)
{
	out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
	out << "<testsuites name=\"lockstep\">\n";
	for (const auto &[group, idx] : by_group(results)) {
		int failures = 0, skipped = 0;
		double seconds = 0;

		for (const std::size_t i : idx) {
			failures += results[i].verdict == Verdict::fail;
			skipped += results[i].verdict == Verdict::skip;
			seconds += results[i].seconds;
		}
		out << "  <testsuite name=\"" << xml_escape(group) << "\" tests=\""
		    << idx.size() << "\" failures=\"" << failures << "\" skipped=\""
		    << skipped << "\" time=\"" << seconds << "\">\n";
		out << "    <properties><property name=\"kernel\" value=\""
		    << xml_escape(k.uname) << "\"/><property name=\"profile\" value=\""
		    << xml_escape(format_profile(k.profile)) << "\"/></properties>\n";
		for (const std::size_t i : idx) {
			const CaseResult &r = results[i];

			out << "    <testcase classname=\"" << xml_escape(group)
			    << "\" name=\"" << xml_escape(r.name) << "\" time=\""
			    << r.seconds << "\">";
			if (r.verdict == Verdict::fail) {
				std::string text;

				for (const auto &l : describe_divergence(cases[i], r))
					text += l + "\n";
				out << "<failure message=\"" << xml_escape(r.reason) << "\">"
				    << xml_escape(text) << "</failure>";
			} else if (r.verdict == Verdict::skip) {
				out << "<skipped message=\"" << xml_escape(r.reason) << "\"/>";
			} else if (r.verdict == Verdict::xfail) {
				out << "<system-out>XFAIL " << xml_escape(r.reason)
				    << "</system-out>";
			}
			out << "</testcase>\n";
		}
		out << "  </testsuite>\n";
	}
	out << "</testsuites>\n";
}

void write_json(std::ostream &out, const KernelInfo &k, const std::vector<Case> &cases,
		const std::vector<CaseResult> &results)
{
	out << "{\n  \"kernel\": {\"uname\": " << json_escape(k.uname)
	    << ", \"profile\": " << json_escape(format_profile(k.profile))
	    << ", \"abi\": " << k.profile.abi << "},\n  \"cases\": [\n";
	for (std::size_t i = 0; i < results.size(); i++) {
		const CaseResult &r = results[i];

		out << "    {\"name\": " << json_escape(r.name)
		    << ", \"group\": " << json_escape(r.group)
		    << ", \"file\": " << json_escape(r.file)
		    << ", \"verdict\": " << json_escape(verdict_name(r.verdict))
		    << ", \"reason\": " << json_escape(r.reason)
		    << ", \"seconds\": " << r.seconds;
		if (!r.errata.empty()) {
			out << ", \"errata\": [";
			for (std::size_t e = 0; e < r.errata.size(); e++)
				out << (e ? ", " : "") << r.errata[e];
			out << "]";
		}
		if (r.divergence && r.divergence->kind != "run") {
			const auto &d = *r.divergence;

			out << ", \"divergence\": {\"kind\": " << json_escape(d.kind)
			    << ", \"step\": " << d.step + 1 << ", \"line\": "
			    << cases[i].trace.steps.at(d.step).loc.line
			    << ", \"kernel\": " << json_escape(format_outcome(d.observed))
			    << ", \"model\": " << json_escape(format_outcomes(d.allowed))
			    << ", \"trace\": " << json_escape(trace::print_trace(cases[i].trace))
			    << "}";
		}
		out << "}" << (i + 1 < results.size() ? "," : "") << "\n";
	}
	out << "  ]\n}\n";
}

} // namespace lockstep::runner
