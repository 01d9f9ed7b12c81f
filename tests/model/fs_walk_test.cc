// SPDX-License-Identifier: GPL-2.0-only
/*
 * Domains and layers, and the filesystem walk with its mounts and
 * disconnected directories (SPEC.md chapters 5 and 6), with a property test
 * of the kernel-faithful walk against a declarative definition.
 */
#include "tests/model/model_test_util.h"

#include "model/fs_check.h"

#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <string>
#include <vector>

namespace lockstep {
namespace {

using testing::at_abi;
using testing::last;
using testing::profile;

const std::string two_dirs = "dir /a\nfile /a/f\ndir /b\nfile /b/f\n"
			     "main: set_no_new_privs\n";

/* ---- 5. Domains and layers ---- */

// [domain.layers] A layer is a frozen copy of its ruleset.
TEST(Domain, LayerIsAFrozenCopy)
{
	EXPECT_PINS(Profile{}, two_dirs + "main: r = create_ruleset fs=read_file\n"
					  "main: add_rule r path_beneath /a fs=read_file\n"
					  "main: restrict_self r\n"
					  "main: add_rule r path_beneath /b fs=read_file => ok\n"
					  "main: fb = open /b/f rdonly => EACCES\n"
					  "main: fa = open /a/f rdonly => ok\n"
					  /* The same ruleset again: a second layer. */
					  "main: restrict_self r\n"
					  "main: gb = open /b/f rdonly => EACCES\n"
					  "main: ga = open /a/f rdonly => ok\n");
}

// [domain.layers] Each restrict_self() adds one layer.
TEST(Domain, EachRestrictAddsALayer)
{
	const auto r = testing::run(two_dirs + "main: r = create_ruleset fs=read_file\n"
					       "main: restrict_self r\n"
					       "main: restrict_self r\n"
					       "main: fork child\n"
					       "child: restrict_self r\n");

	ASSERT_EQ(r.error, "");
	const auto &tasks = r.model.state().tasks;
	ASSERT_EQ(tasks.size(), 2u);
	EXPECT_EQ(tasks[0].domain.size(), 2u);
	ASSERT_EQ(tasks[1].domain.size(), 3u);
	/* The child shares its parent's layers and has a new one. */
	EXPECT_EQ(tasks[1].domain[0].id, tasks[0].domain[0].id);
	EXPECT_EQ(tasks[1].domain[1].id, tasks[0].domain[1].id);
	EXPECT_NE(tasks[1].domain[2].id, tasks[0].domain[1].id);
}

// [domain.applicable] Rights no layer handles are not restricted.
TEST(Domain, UnhandledRightsAreNotRestricted)
{
	EXPECT_PINS(Profile{}, two_dirs + "main: r = create_ruleset fs=read_file\n"
					  "main: restrict_self r\n"
					  "main: w = open /a/f wronly => ok\n"
					  "main: g = open /a/f rdonly => EACCES\n"
					  "main: mkdir /a/d => ok\n");
}

// [domain.applicable] A domain that handles no fs right leaves files alone.
TEST(Domain, NetOnlyDomainDoesNotApplyToFiles)
{
	EXPECT_PINS(at_abi(4), two_dirs + "main: r = create_ruleset net=bind_tcp\n"
					  "main: restrict_self r\n"
					  "main: rename /a/f /b/g => ok\n"
					  "main: link /b/f /a/h => ok\n"
					  "main: f = open /a/h rdwr => ok\n");
}

// [fs.handled] Refer is denied by a layer that does not handle it...
TEST(Domain, ReferDeniedEvenWhenNotHandled)
{
	EXPECT_PINS(at_abi(2), two_dirs + "main: r = create_ruleset fs=make_reg,remove_file\n"
					  "main: add_rule r path_beneath / fs=make_reg,remove_file\n"
					  "main: restrict_self r\n"
					  "main: rename /a/f /b/g => EXDEV\n"
					  "main: rename /a/f /a/g => ok\n");
}

// [fs.handled] ...even by a layer that handles no fs right at all.
TEST(Domain, NetOnlyLayerStillDeniesRefer)
{
	const std::string fs_layer = "main: r = create_ruleset fs=make_reg,remove_file,refer\n"
				     "main: add_rule r path_beneath / fs=make_reg,remove_file,refer\n"
				     "main: restrict_self r\n";

	EXPECT_PINS(at_abi(4), two_dirs + fs_layer + "main: rename /a/f /b/g => ok\n");
	EXPECT_PINS(at_abi(4), two_dirs + fs_layer +
				       "main: n = create_ruleset net=bind_tcp\n"
				       "main: restrict_self n\n"
				       "main: rename /a/f /b/g => EXDEV\n"
				       "main: rename /a/f /a/g => ok\n");
}

/* ---- 6. The filesystem walk ---- */

// [fs.walk.layers] Every layer must grant, each with its own rules.
TEST(FsWalk, EveryLayerMustGrant)
{
	EXPECT_PINS(Profile{}, two_dirs + "main: r1 = create_ruleset fs=read_file\n"
					  "main: add_rule r1 path_beneath /a fs=read_file\n"
					  "main: restrict_self r1\n"
					  "main: f1 = open /a/f rdonly => ok\n"
					  "main: r2 = create_ruleset fs=read_file\n"
					  "main: restrict_self r2\n"
					  "main: f2 = open /a/f rdonly => EACCES\n");
}

// [fs.walk.layers] Rules on different ancestors may satisfy different layers.
TEST(FsWalk, LayersMaySatisfyOnDifferentAncestors)
{
	EXPECT_PINS(Profile{}, "dir /a\ndir /a/b\nfile /a/b/f\nfile /a/b/g\n"
			       "main: set_no_new_privs\n"
			       "main: r1 = create_ruleset fs=read_file,write_file\n"
			       "main: add_rule r1 path_beneath / fs=read_file\n"
			       "main: add_rule r1 path_beneath /a/b fs=write_file\n"
			       "main: restrict_self r1\n"
			       "main: r2 = create_ruleset fs=read_file,write_file\n"
			       "main: add_rule r2 path_beneath /a/b/f fs=read_file,write_file\n"
			       "main: restrict_self r2\n"
			       "main: f = open /a/b/f rdwr => ok\n"
			       /* Layer 2's rule is on /a/b/f only. */
			       "main: g = open /a/b/g rdwr => EACCES\n");
}

// [fs.walk.layers] One layer's rule never grants for another layer.
TEST(FsWalk, RuleOfOneLayerDoesNotServeAnother)
{
	EXPECT_PINS(Profile{}, two_dirs + "main: r1 = create_ruleset fs=read_file,write_file\n"
					  "main: add_rule r1 path_beneath /a fs=read_file,write_file\n"
					  "main: restrict_self r1\n"
					  "main: r2 = create_ruleset fs=write_file\n"
					  "main: add_rule r2 path_beneath / fs=write_file\n"
					  "main: restrict_self r2\n"
					  "main: f = open /a/f rdwr => ok\n"
					  "main: g = open /b/f wronly => EACCES\n");
}

// [fs.rule.inode] Hard links share rules.
TEST(FsWalk, HardLinksShareRules)
{
	EXPECT_PINS(Profile{}, two_dirs + "main: link /a/f /b/g\n"
					  "main: r = create_ruleset fs=read_file\n"
					  "main: add_rule r path_beneath /b/g fs=read_file\n"
					  "main: restrict_self r\n"
					  "main: f = open /a/f rdonly => ok\n"
					  "main: g = open /b/f rdonly => EACCES\n");
}

// [fs.rule.inode] A rule added through a bind mount is on the directory.
TEST(FsWalk, BindMountedDirectorySharesRules)
{
	EXPECT_PINS(Profile{}, "dir /a\nfile /a/f\ndir /m\nmount bind /a /m\n"
			       "main: set_no_new_privs\n"
			       "main: r = create_ruleset fs=read_file\n"
			       "main: add_rule r path_beneath /m fs=read_file\n"
			       "main: restrict_self r\n"
			       "main: f = open /a/f rdonly => ok\n"
			       "main: g = open /m/f rdonly => ok\n");
}

// [fs.walk.mounts] The walk crosses a mount to the mount point's parent.
TEST(FsWalk, CrossesMountsUpwards)
{
	EXPECT_PINS(Profile{}, "dir /m\nmount tmpfs /m\n"
			       "main: f = open /m/f wronly creat\n"
			       "main: set_no_new_privs\n"
			       "main: r = create_ruleset fs=read_file\n"
			       "main: add_rule r path_beneath / fs=read_file\n"
			       "main: restrict_self r\n"
			       "main: g = open /m/f rdonly => ok\n");
}

// [fs.walk.mounts] The covered mount point's own rules are not read.
TEST(FsWalk, HiddenMountPointRulesAreSkipped)
{
	const std::string t = "dir /m\nfile /m/under\n"
			      "main: d = open /m path directory\n"
			      "main: mount tmpfs /m\n"
			      "main: f = open /m/f wronly creat\n"
			      "main: set_no_new_privs\n"
			      "main: r = create_ruleset fs=read_file\n";

	EXPECT_PINS(Profile{}, t + "main: add_rule r path_beneath fd=d fs=read_file\n"
				   "main: restrict_self r\n"
				   "main: g = open /m/f rdonly => EACCES\n");
	/* The same rule through the mount lands on the tmpfs root. */
	EXPECT_PINS(Profile{}, t + "main: add_rule r path_beneath /m fs=read_file\n"
				   "main: restrict_self r\n"
				   "main: g = open /m/f rdonly => ok\n");
}

// [fs.walk.mounts] A bind mount's source ancestors are not on the walk.
TEST(FsWalk, BindSourceAncestorsAreNotVisited)
{
	const std::string t = "dir /a\ndir /a/s\nfile /a/s/f\ndir /m\nmount bind /a/s /m\n"
			      "main: set_no_new_privs\n"
			      "main: r = create_ruleset fs=read_file\n";

	EXPECT_PINS(Profile{}, t + "main: add_rule r path_beneath /a fs=read_file\n"
				   "main: restrict_self r\n"
				   "main: f = open /a/s/f rdonly => ok\n"
				   "main: g = open /m/f rdonly => EACCES\n");
	EXPECT_PINS(Profile{}, t + "main: add_rule r path_beneath / fs=read_file\n"
				   "main: restrict_self r\n"
				   "main: f = open /a/s/f rdonly => ok\n"
				   "main: g = open /m/f rdonly => ok\n");
}

/*
 * A directory /a/x/y seen through the bind mount /m of /a, then /a/x moved
 * to /b/x: the fd d on /m/x/y is disconnected from its mount.
 */
const std::string disconnected = "dir /a\ndir /a/x\ndir /a/x/y\nfile /a/x/y/f\n"
				 "dir /b\ndir /m\nmount bind /a /m\n"
				 "main: d = open /m/x/y rdonly directory\n"
				 "main: rename /a/x /b/x\n"
				 "main: set_no_new_privs\n"
				 "main: r = create_ruleset fs=read_file\n";

// [erratum.3] Fixed: the walk goes on at the mount's root.
TEST(FsWalk, DisconnectedDirectoryContinuesAtMountRoot)
{
	const std::string t = disconnected + "main: add_rule r path_beneath /m fs=read_file\n"
					     "main: restrict_self r\n"
					     "main: f = open $d/f rdonly\n";

	EXPECT_EQ(last(t, profile("errata=1+2+3")), "ok");
	EXPECT_EQ(last(t, profile("errata=1+2")), "EACCES");
	EXPECT_EQ(last(t, profile("errata=1+2+?3")), "ok|EACCES");
}

// [erratum.3] Both ways, the rules up to the filesystem root are read.
TEST(FsWalk, DisconnectedDirectoryReadsItsOwnAncestors)
{
	const std::string t = disconnected + "main: add_rule r path_beneath /b fs=read_file\n"
					     "main: restrict_self r\n"
					     "main: f = open $d/f rdonly\n";

	EXPECT_EQ(last(t, profile("errata=1+2+3")), "ok");
	EXPECT_EQ(last(t, profile("errata=1+2")), "ok");
}

/* ---- Property: the kernel-faithful walk against a declarative one ---- */

constexpr AccessMask rights[] = {fs::read_file, fs::write_file, fs::read_dir,
				 fs::make_reg, fs::refer};

AccessMask random_rights(std::mt19937 &rng, unsigned percent)
{
	AccessMask m = 0;

	for (const AccessMask r : rights)
		if (rng() % 100 < percent)
			m |= r;
	return m;
}

/* A random tree of directories and files, with tmpfs and bind mounts. */
struct RandomWorld {
	Vfs vfs;
	/* Every path (as a string from the root) and where it leads. */
	std::vector<std::pair<std::string, VPath>> paths;

	void build(std::mt19937 &rng);
	void enumerate(const std::string &prefix, const VPath &at, int depth);
};

void RandomWorld::build(std::mt19937 &rng)
{
	static const char *names[] = {"a", "b", "c", "d"};
	std::vector<VPath> dirs{vfs.root()};
	const int nodes = 3 + static_cast<int>(rng() % 8);

	for (int i = 0; i < nodes; i++) {
		const VPath dir = dirs[rng() % dirs.size()];
		const std::string name = names[rng() % 4];

		if (vfs.child(dir, name))
			continue;
		const bool is_dir = rng() % 10 < 7;
		const DentryId d = vfs.create(dir, name, is_dir ? FileType::dir : FileType::reg);
		if (is_dir)
			dirs.push_back(VPath{dir.mnt, d});
	}
	for (int m = static_cast<int>(rng() % 3); m > 0 && dirs.size() > 1; m--) {
		const VPath at = dirs[1 + rng() % (dirs.size() - 1)];

		if (rng() % 2)
			vfs.mount_tmpfs(at);
		else
			vfs.mount_bind(dirs[rng() % dirs.size()], at);
	}
	enumerate("", vfs.root(), 0);
}

void RandomWorld::enumerate(const std::string &prefix, const VPath &at, int depth)
{
	paths.emplace_back(prefix.empty() ? "/" : prefix, at);
	if (depth == 5 || !vfs.is_dir(at))
		return;
	for (const auto &[name, d] : vfs.dentry(at.dentry).children)
		if (const auto c = vfs.child(at, name))
			enumerate(prefix + "/" + name, *c, depth + 1);
}

/* "/x/y" -> "/", "/x", "/x/y": the ancestors a reader of the path sees. */
std::vector<std::string> prefixes(const std::string &path)
{
	std::vector<std::string> out{"/"};

	for (std::size_t i = 1; i <= path.size(); i++)
		if (i == path.size() || path[i] == '/')
			if (i > 1)
				out.push_back(path.substr(0, i));
	return out;
}

/*
 * The declarative rule: a request is allowed iff every layer that denies a
 * requested right by default ([fs.handled]) has a rule granting it on one
 * of the path's ancestors, as found by resolving each prefix of the path
 * from the root (which lands on mount roots, never on covered mount points).
 */
bool declared_allowed(const Vfs &vfs, const Domain &d, const std::string &path,
		      AccessMask request)
{
	for (std::size_t i = 0; i < d.size(); i++) {
		AccessMask granted = 0;

		for (const auto &p : prefixes(path)) {
			const Lookup l = vfs.resolve(vfs.root(), p, lookup_flag::follow);
			const auto it = d[i].rules.fs.find(vfs.inode_of(*l.target));

			if (it != d[i].rules.fs.end())
				granted |= it->second.access;
		}
		const AccessMask need = request & (d[i].handled.fs | fs::refer);
		if ((need & granted) != need)
			return false;
	}
	return true;
}

Domain random_domain(std::mt19937 &rng, const RandomWorld &w)
{
	Domain d;
	const int layers = 1 + static_cast<int>(rng() % 4);

	for (int i = 0; i < layers; i++) {
		auto l = std::make_shared<Layer>();

		l->id = i + 1;
		l->handled.fs = random_rights(rng, 50) & ~fs::refer;
		if (rng() % 3 == 0)
			l->handled.fs |= fs::refer;
		for (int r = static_cast<int>(rng() % 4); r > 0; r--) {
			const VPath at = w.paths[rng() % w.paths.size()].second;

			l->rules.fs[w.vfs.inode_of(at)].access |= random_rights(rng, 40);
		}
		d.push(l);
	}
	return d;
}

/* Whether the model's walk allows @request on @at, in domain @d. */
bool walk_allows(const Vfs &vfs, const Domain &d, const VPath &at, AccessMask request)
{
	FsWalk walk = start_fs_walk(vfs, d, at, request, true);

	fs_walk_finish(walk, vfs, d, {});
	return walk.allowed();
}

// [fs.walk.layers] [fs.walk.mounts] [fs.handled] [fs.rule.inode] Random trees and domains.
TEST(FsWalkProperty, WalkEqualsDeclarativeDefinition)
{
	std::mt19937 rng(20261129);
	int allowed = 0, denied = 0;

	for (int iter = 0; iter < 3000; iter++) {
		RandomWorld w;

		w.build(rng);
		const Domain d = random_domain(rng, w);
		const auto &[path, at] = w.paths[rng() % w.paths.size()];
		const AccessMask request = random_rights(rng, 30) | rights[rng() % 5];
		const bool want = declared_allowed(w.vfs, d, path, request);
		/* The same domain without its merged index: each layer's own rules. */
		Domain unmerged = d;

		unmerged.merged.reset();
		ASSERT_EQ(walk_allows(w.vfs, d, at, request), want)
			<< "iteration " << iter << ": " << format_fs(request) << " on " << path
			<< " (" << w.vfs.path_name(at) << "), " << d.size() << " layers";
		ASSERT_EQ(walk_allows(w.vfs, unmerged, at, request), want)
			<< "iteration " << iter << " (unmerged)";
		(want ? allowed : denied)++;
	}
	/* The generator must exercise both answers, or the test proves little. */
	EXPECT_GT(allowed, 300);
	EXPECT_GT(denied, 300);
}

} // namespace
} // namespace lockstep
