/* Minimal assertions for the unit tests (tests/unit/test_*.c).
 *
 *   CHECK(cond)              a condition
 *   CHECK_STREQ(a, b)        two strings, either may be NULL
 *   CHECK_CONTAINS(s, sub)   s is not NULL and contains sub
 *   CHECK_INT_EQ(a, b)       two signed integers
 *   CHECK_UINT_EQ(a, b)      two unsigned integers
 *   RUN(fn)                  runs void fn(void), prints "ok"/"FAIL" for it
 *   return unit_summary(argv[0]);   at the end of main: 0 when all passed
 *
 * A failed check prints file:line and both values, and the test carries on,
 * so one run lists every failure. Each header user is a separate program. */
#ifndef RUNLOCK_TESTS_UNIT_UNIT_H
#define RUNLOCK_TESTS_UNIT_UNIT_H

#include <stdio.h>
#include <string.h>

static unsigned unit_checks __attribute__((unused));
static unsigned unit_failures __attribute__((unused));

#define UNIT_FAIL_(...)                                                                            \
	do {                                                                                       \
		unit_failures++;                                                                   \
		fprintf(stderr, "%s:%d: ", __FILE__, __LINE__);                                    \
		fprintf(stderr, __VA_ARGS__);                                                      \
		fputc('\n', stderr);                                                               \
	} while (0)

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		unit_checks++;                                                                     \
		if (!(cond))                                                                       \
			UNIT_FAIL_("CHECK(%s) failed", #cond);                                     \
	} while (0)

#define CHECK_STREQ(a, b)                                                                          \
	do {                                                                                       \
		const char *_ua = (a), *_ub = (b);                                                 \
		unit_checks++;                                                                     \
		if ((_ua == NULL) != (_ub == NULL) || (_ua && strcmp(_ua, _ub) != 0))              \
			UNIT_FAIL_("CHECK_STREQ(%s, %s): \"%s\" != \"%s\"", #a, #b,                \
			           _ua ? _ua : "(null)", _ub ? _ub : "(null)");                    \
	} while (0)

#define CHECK_CONTAINS(s, sub)                                                                     \
	do {                                                                                       \
		const char *_us = (s), *_usub = (sub);                                             \
		unit_checks++;                                                                     \
		if (!_us || !strstr(_us, _usub))                                                   \
			UNIT_FAIL_("CHECK_CONTAINS(%s, %s): \"%s\" does not contain \"%s\"", #s,   \
			           #sub, _us ? _us : "(null)", _usub);                             \
	} while (0)

#define CHECK_INT_EQ(a, b)                                                                         \
	do {                                                                                       \
		long long _ia = (long long)(a), _ib = (long long)(b);                              \
		unit_checks++;                                                                     \
		if (_ia != _ib)                                                                    \
			UNIT_FAIL_("CHECK_INT_EQ(%s, %s): %lld != %lld", #a, #b, _ia, _ib);        \
	} while (0)

#define CHECK_UINT_EQ(a, b)                                                                        \
	do {                                                                                       \
		unsigned long long _ia = (unsigned long long)(a), _ib = (unsigned long long)(b);   \
		unit_checks++;                                                                     \
		if (_ia != _ib)                                                                    \
			UNIT_FAIL_("CHECK_UINT_EQ(%s, %s): %llu != %llu", #a, #b, _ia, _ib);       \
	} while (0)

#define RUN(fn)                                                                                    \
	do {                                                                                       \
		unsigned _before = unit_failures;                                                  \
		fn();                                                                              \
		printf("%-4s %s\n", unit_failures == _before ? "ok" : "FAIL", #fn);                \
		fflush(stdout);                                                                    \
	} while (0)

static inline int unit_summary(const char *prog)
{
	printf("%s: %u checks, %u failed\n", prog, unit_checks, unit_failures);
	return unit_failures ? 1 : 0;
}

#endif
