/*
 * inject.c - `hwpsim inject`: run mce-inject files against a machine.
 *
 *   hwpsim inject [--memory SIZE] [--cpus N] FILE...
 *
 * Each file gets a fresh default machine (SIZE of memory, N CPUs, one
 * user process "mce-user" that is current for user-mode records) and its
 * records are injected in order, as the kernel's mce-inject driver does:
 * loaded into the named CPU's bank, then raised as #MC (broadcast unless
 * NOBROADCAST) or polled.  For each record: file:line, cpu/bank, the
 * status words, the severity and its message, the action the handler
 * took and what came of it.  After a panic the machine is dead: the
 * file's remaining records are listed as not run.
 *
 * Exit status: 0 when every file ran (whatever the verdicts), 2 on bad
 * input: a bad option, an unreadable file, a parse error (file:line), a
 * record naming a CPU or bank the machine does not have.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hwpoison/mce.h"
#include "hwpoison/memory-failure.h"
#include "lua/host.h"
#include "sim/mce_inject.h"

#define EXIT_BAD_INPUT 2

struct inject_args {
	gchar *memory;
	gint cpus;
	gchar **files;
};

static bool parse_size(const char *s, uint64_t *out)
{
	char *end;
	uint64_t v;

	if (!s || !g_ascii_isdigit(*s))
		return false;
	v = g_ascii_strtoull(s, &end, 10);
	switch (g_ascii_toupper(*end)) {
	case 'K':
		v <<= 10;
		end++;
		break;
	case 'M':
		v <<= 20;
		end++;
		break;
	case 'G':
		v <<= 30;
		end++;
		break;
	}
	if (*end && g_ascii_strcasecmp(end, "B") &&
	    g_ascii_strcasecmp(end, "iB"))
		return false;
	*out = v;
	return v > 0;
}

static void print_record(const struct mce_inject_file *f,
			 const struct mce_inject_record *r,
			 const struct mce_result *res)
{
	printf("%s:%u: CPU %u BANK %u\n", f->name, r->line, r->m.extcpu,
	       r->m.bank);
	printf("  STATUS %#018llx MCGSTATUS %#llx ADDR %#llx MISC %#llx",
	       (unsigned long long)r->m.status,
	       (unsigned long long)r->m.mcgstatus,
	       (unsigned long long)r->m.addr, (unsigned long long)r->m.misc);
	if (r->m.ip || r->m.cs)
		printf(" RIP %#x:%#llx", r->m.cs, (unsigned long long)r->m.ip);
	printf("  (%s)\n", mce_inject_raise_exception(r) ?
	       (mce_inject_broadcast(r) ? "#MC, broadcast" : "#MC, local") :
	       "poll");
	if (res->severity >= 0)
		printf("  severity %s: %s\n", mce_severity_name(res->severity),
		       res->msg);
	else
		printf("  severity -: not graded\n");
	printf("  action %s: %s\n", res->action,
	       res->outcome ? res->outcome : "none");
}

/* One file on a fresh machine.  Returns 0, or EXIT_BAD_INPUT. */
static int run_file(const struct mce_inject_file *f, uint64_t mem,
		    unsigned int cpus)
{
	struct mm_machine_config cfg;
	struct sim_config scfg;
	struct sim *s;
	struct sim_policy *pol;
	struct mm_machine *m;
	struct task_struct *user;
	struct mce_context ctx = { 0 };
	GError *err = NULL;
	int rc = 0;

	sim_config_default(&scfg);
	s = sim_new(&scfg);
	pol = sim_policy_new();
	mm_machine_config_default(&cfg);
	cfg.mem_bytes = mem;
	cfg.cpus = cpus;
	m = mm_machine_new(&cfg, s, pol, &err);
	if (!m) {
		fprintf(stderr, "hwpsim inject: %s\n", err->message);
		g_error_free(err);
		sim_free(s);
		sim_policy_free(pol);
		return EXIT_BAD_INPUT;
	}
	mce_attach();
	user = task_create("mce-user", mm_alloc());
	ctx.task = user;
	printf("# %s: %u record%s, %u CPUs, %llu MiB\n", f->name, f->nr,
	       f->nr == 1 ? "" : "s", cpus, (unsigned long long)(mem >> 20));
	for (unsigned int i = 0; i < f->nr; i++) {
		const struct mce_inject_record *r = &f->recs[i];
		struct mce_mark mk;
		struct mce_result res;

		if (m->panicked) {
			printf("%s:%u: not run: the machine panicked\n",
			       f->name, r->line);
			continue;
		}
		mce_mark(&mk);
		if (mce_inject_record(r, &ctx, NULL)) {
			fprintf(stderr, "%s:%u: CPU %u or bank %u does not "
				"exist (the machine has %u CPUs, %u banks)\n",
				f->name, r->line, r->m.extcpu, r->m.bank,
				cpus, mca_nr_banks(mce_mca()));
			rc = EXIT_BAD_INPUT;
			break;
		}
		mce_flush();
		mce_result_get(&mk, r->m.extcpu, r->m.bank, &res);
		print_record(f, r, &res);
		g_free(res.outcome);
	}
	if (m->panicked)
		printf("# Kernel panic - not syncing: %s\n", m->panic_msg);
	mm_machine_free(m);
	sim_free(s);
	sim_policy_free(pol);
	return rc;
}

static const char inject_description[] =
	"Each FILE is in mce-inject's language (see sim/mce_inject.h) and\n"
	"runs on a fresh machine; user-mode records interrupt the process\n"
	"\"mce-user\".  Printed per record: file:line, CPU and bank, the\n"
	"registers, Linux 6.1's severity and message, the action and its\n"
	"outcome.\n"
	"Exit status: 0 every file ran, 2 bad input (parse errors name\n"
	"file:line).";

static GOptionContext *inject_context(struct inject_args *a,
				      GOptionEntry **e)
{
	GOptionEntry entries[] = {
		{ "memory", 0, 0, G_OPTION_ARG_STRING, &a->memory,
		  "Memory of the machine (default 256M)", "SIZE" },
		{ "cpus", 0, 0, G_OPTION_ARG_INT, &a->cpus,
		  "CPUs of the machine (default 4)", "N" },
		{ G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY,
		  &a->files, NULL, "FILE..." },
		{ NULL, 0, 0, 0, NULL, NULL, NULL },
	};
	GOptionContext *ctx = g_option_context_new(NULL);

	*e = g_memdup2(entries, sizeof(entries));
	g_option_context_set_summary(ctx, "Inject mce-inject files into a "
				     "simulated machine.");
	g_option_context_set_description(ctx, inject_description);
	g_option_context_add_main_entries(ctx, *e, NULL);
	return ctx;
}

void cmd_inject_help(void)
{
	struct inject_args a = { 0 };
	GOptionEntry *e;
	GOptionContext *ctx = inject_context(&a, &e);
	char *h;

	g_set_prgname("hwpsim inject");
	h = g_option_context_get_help(ctx, FALSE, NULL);
	fputs(h, stdout);
	g_free(h);
	g_free(e);
	g_option_context_free(ctx);
}

int cmd_inject(int argc, char **argv)
{
	struct inject_args a = { .cpus = 4 };
	GOptionEntry *e;
	GOptionContext *ctx = inject_context(&a, &e);
	GPtrArray *files = g_ptr_array_new_with_free_func(
		(GDestroyNotify)mce_inject_file_free);
	GError *err = NULL;
	uint64_t mem = 256ULL << 20;
	int rc = 0;

	g_set_prgname("hwpsim inject");
	if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
		fprintf(stderr, "hwpsim inject: %s\nTry 'hwpsim inject "
			"--help'.\n", err->message);
		g_error_free(err);
		rc = EXIT_BAD_INPUT;
	} else if (a.memory && !parse_size(a.memory, &mem)) {
		fprintf(stderr, "hwpsim inject: --memory: bad size '%s' "
			"(e.g. 256M, 1G)\n", a.memory);
		rc = EXIT_BAD_INPUT;
	} else if (a.cpus < 1 || a.cpus > 256) {
		fprintf(stderr, "hwpsim inject: --cpus: 1 .. 256\n");
		rc = EXIT_BAD_INPUT;
	} else if (!a.files || !a.files[0]) {
		fprintf(stderr, "hwpsim inject: no file given\nTry 'hwpsim "
			"inject --help'.\n");
		rc = EXIT_BAD_INPUT;
	}
	/* Every file parses before anything runs. */
	for (int i = 0; !rc && a.files[i]; i++) {
		struct mce_inject_file *f = NULL;
		char *msg = NULL;

		if (mce_inject_load(a.files[i], &f, &msg)) {
			fprintf(stderr, "hwpsim inject: %s\n", msg);
			g_free(msg);
			rc = EXIT_BAD_INPUT;
			break;
		}
		g_ptr_array_add(files, f);
	}
	if (!rc) {
		hwp_register_policies();
		for (guint i = 0; i < files->len && !rc; i++) {
			if (i)
				printf("\n");
			rc = run_file(g_ptr_array_index(files, i), mem,
				      (unsigned int)a.cpus);
		}
	}
	fflush(stdout);
	g_ptr_array_free(files, TRUE);
	g_strfreev(a.files);
	g_free(a.memory);
	g_free(e);
	g_option_context_free(ctx);
	return rc;
}
