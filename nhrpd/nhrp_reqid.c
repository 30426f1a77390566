// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nhrpd: request ids (see nhrp_reqid.h).
 */
#include "nhrpd/nhrpd.h"

#include "jhash.h"

#include "nhrpd/nhrp_reqid.h"

static int reqid_cmp(const struct nhrp_reqid *a, const struct nhrp_reqid *b)
{
	return numcmp(a->id, b->id);
}

static uint32_t reqid_hash(const struct nhrp_reqid *r)
{
	return jhash_1word(r->id, 0x6e687270);
}

DECLARE_HASH(nhrp_reqid_hash, struct nhrp_reqid, hitem, reqid_cmp, reqid_hash);

static struct nhrp_reqid_hash_head pending = INIT_HASH(pending);
static uint32_t next_id;

uint32_t nhrp_reqid_new(struct nhrp_reqid *r, uint8_t reply_type,
			nhrp_reqid_cb cb)
{
	struct nhrp_reqid key;

	nhrp_reqid_release(r);
	do {
		key.id = ++next_id;
	} while (key.id == 0 || nhrp_reqid_hash_find(&pending, &key));
	r->id = key.id;
	r->reply_type = reply_type;
	r->cb = cb;
	nhrp_reqid_hash_add(&pending, r);
	return r->id;
}

void nhrp_reqid_release(struct nhrp_reqid *r)
{
	if (!r->id)
		return;
	nhrp_reqid_hash_del(&pending, r);
	r->id = 0;
}

struct nhrp_reqid *nhrp_reqid_lookup(uint32_t id, uint8_t reply_type)
{
	struct nhrp_reqid key = {.id = id}, *r;

	if (!id)
		return NULL;
	r = nhrp_reqid_hash_find(&pending, &key);
	return r && r->reply_type == reply_type ? r : NULL;
}

size_t nhrp_reqid_count(void)
{
	return nhrp_reqid_hash_count(&pending);
}
