// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nhrpd: the NHRP wire codec, see nhrp_codec.h.
 *
 * Wire layout (RFC 2332 5.1, 5.2; Cisco Traffic Indication):
 *
 *  fixed header    afn(2) pro.type(2) pro.snap(5) hopcnt(1) pktsz(2)
 *                  chksum(2) extoff(2) version(1) type(1) shtl(1) sstl(1)
 *  mandatory part  src proto len(1) dst proto len(1) flags(2)
 *                  request id(4) | error code(2) error offset(2)
 *                                | traffic code(2) unused(2)
 *                  src NBMA, src NBMA subaddress, src proto, dst proto
 *                  then CIEs (types 1-6) or the quoted packet (7, 8)
 *  CIE             code(1) prefix(1) unused(2) mtu(2) holdtime(2)
 *                  nbma t/l(1) subaddr t/l(1) proto len(1) pref(1)
 *                  NBMA, NBMA subaddress, proto
 *  extension       C|u|type(2) length(2) value, no padding; End closes
 *
 * Everything is read through rd16()/rd32() after a bounds check against
 * the end of the region being parsed, and written through struct wr.
 */
#include <string.h>

#include "nhrp_codec.h"

static inline uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static inline void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

uint16_t nhrp_checksum(const uint8_t *buf, size_t len)
{
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2) {
		sum += rd16(buf + i);
		if (sum > 0xffff)
			sum -= 0xffff;	/* end-around carry */
	}
	if (len & 1) {
		sum += (uint32_t)buf[len - 1] << 8;
		if (sum > 0xffff)
			sum -= 0xffff;
	}
	return (uint16_t)~sum;
}

/* ---- decoding -------------------------------------------------------- */

/* address length a protocol type allows: exact length, or -1 = any <= 16 */
static int pro_addr_len(uint16_t pro_type)
{
	switch (pro_type) {
	case NHRP_PRO_IPV4:
		return 4;
	case NHRP_PRO_IPV6:
		return 16;
	}
	return -1;
}

static int afn_addr_len(uint16_t afn)
{
	switch (afn) {
	case NHRP_AFN_IPV4:
		return 4;
	case NHRP_AFN_IPV6:
		return 16;
	}
	return 0;
}

/* may an address of this length appear where `want` is the family's? */
static bool addr_len_ok(unsigned int len, int want)
{
	if (len == 0)
		return true;
	if (want < 0)
		return len <= NHRP_ADDR_MAX;
	return len == (unsigned int)want;
}

static int fail(struct nhrp_pkt *p, enum nhrp_reason r, size_t off)
{
	p->fault_off = (uint16_t)off;
	return -(int)r;
}

/* read an address of a->len bytes at buf[*off] (bounds already checked) */
static void take_addr(struct nhrp_addr *a, const uint8_t *buf, size_t *off)
{
	memcpy(a->a, buf + *off, a->len);
	memset(a->a + a->len, 0, NHRP_ADDR_MAX - a->len);
	*off += a->len;
}

/*
 * Parse the CIEs filling buf[off..end) exactly, appending them to the pool
 * as `list`.  Errors are reported as `bad` (NHRP_E_CIE in the mandatory
 * part, NHRP_E_EXT_VALUE in an extension).
 */
static int parse_cies(struct nhrp_pkt *p, const uint8_t *buf, size_t off,
		      size_t end, struct nhrp_cies *list, enum nhrp_reason bad)
{
	int nlen = afn_addr_len(p->afn), plen = pro_addr_len(p->pro_type);

	list->first = p->npool;
	list->count = 0;
	while (off < end) {
		struct nhrp_cie *c;
		const uint8_t *b = buf + off;
		size_t start = off;

		if (end - off < NHRP_CIE_LEN)
			return fail(p, bad, start);
		if (p->npool >= NHRP_CIE_MAX)
			return fail(p, NHRP_E_CIE_COUNT, start);
		c = &p->pool[p->npool];
		c->code = b[0];
		c->prefix_len = b[1];
		c->rsvd = rd16(b + 2);
		c->mtu = rd16(b + 4);
		c->holdtime = rd16(b + 6);
		c->nbma.type = b[8] & 0xc0;
		c->nbma.len = b[8] & 0x3f;
		c->nbma_sub.type = b[9] & 0xc0;
		c->nbma_sub.len = b[9] & 0x3f;
		c->proto.type = 0;
		c->proto.len = b[10];
		c->pref = b[11];
		if (!addr_len_ok(c->nbma.len, nlen))
			return fail(p, bad, start + 8);
		if (c->nbma_sub.len > NHRP_ADDR_MAX)
			return fail(p, bad, start + 9);
		if (!addr_len_ok(c->proto.len, plen))
			return fail(p, bad, start + 10);
		off += NHRP_CIE_LEN;
		if (end - off < (size_t)c->nbma.len + c->nbma_sub.len +
					c->proto.len)
			return fail(p, bad, start);
		take_addr(&c->nbma, buf, &off);
		take_addr(&c->nbma_sub, buf, &off);
		take_addr(&c->proto, buf, &off);
		p->npool++;
		list->count++;
	}
	return 0;
}

static bool ext_known(uint16_t type)
{
	switch (type) {
	case NHRP_EXT_END:
	case NHRP_EXT_RESPONDER:
	case NHRP_EXT_FWD_TRANSIT:
	case NHRP_EXT_REV_TRANSIT:
	case NHRP_EXT_AUTH:
	case NHRP_EXT_VENDOR:
	case NHRP_EXT_NAT_ADDRESS:
		return true;
	}
	return false;
}

static int parse_exts(struct nhrp_pkt *p, const uint8_t *buf, size_t off,
		      size_t end)
{
	for (;;) {
		struct nhrp_ext *e;
		size_t vo;
		uint16_t tl;
		int r;

		if (off == end)	/* blame the last extension, or ar$extoff */
			return fail(p, NHRP_E_EXT_NOEND,
				    p->next ? p->ext[p->next - 1].off : 14);
		if (end - off < NHRP_EXT_HDR_LEN)
			return fail(p, NHRP_E_EXT, off);
		if (p->next >= NHRP_EXT_MAX)
			return fail(p, NHRP_E_EXT_COUNT, off);
		e = &p->ext[p->next];
		memset(e, 0, sizeof(*e));
		tl = rd16(buf + off);
		e->type = tl & NHRP_EXT_TYPE_MASK;
		e->flags = tl & ~NHRP_EXT_TYPE_MASK;
		e->off = (uint16_t)off;
		e->len = rd16(buf + off + 2);
		vo = off + NHRP_EXT_HDR_LEN;
		if (end - vo < e->len)
			return fail(p, NHRP_E_EXT, off);
		e->data = buf + vo;
		e->cie.first = p->npool;
		p->next++;

		switch (e->type) {
		case NHRP_EXT_END:
			if (e->len != 0)
				return fail(p, NHRP_E_EXT_VALUE, off);
			if (vo != end)
				return fail(p, NHRP_E_EXT_TRAILING, vo);
			return 0;
		case NHRP_EXT_RESPONDER:
		case NHRP_EXT_FWD_TRANSIT:
		case NHRP_EXT_REV_TRANSIT:
			r = parse_cies(p, buf, vo, vo + e->len, &e->cie,
				       NHRP_E_EXT_VALUE);
			if (r)
				return r;
			break;
		case NHRP_EXT_NAT_ADDRESS:
			r = parse_cies(p, buf, vo, vo + e->len, &e->cie,
				       NHRP_E_EXT_VALUE);
			if (r == -NHRP_E_EXT_VALUE) {
				/* not Cisco's: keep the value as it is */
				p->fault_off = 0;
				p->npool = e->cie.first;
				e->cie.count = 0;
				e->raw = true;
			} else if (r)
				return r;
			break;
		case NHRP_EXT_AUTH:
			if (e->len < 4)
				return fail(p, NHRP_E_EXT_VALUE, off);
			e->auth_type = rd32(e->data);
			e->value = e->data + 4;
			e->value_len = e->len - 4;
			break;
		case NHRP_EXT_VENDOR:
			if (e->len < 3)
				return fail(p, NHRP_E_EXT_VALUE, off);
			memcpy(e->oui, e->data, 3);
			e->value = e->data + 3;
			e->value_len = e->len - 3;
			break;
		default:
			e->raw = true;
			if ((e->flags & NHRP_EXT_COMPULSORY) && !p->unknown_c_off)
				p->unknown_c_off = (uint16_t)off;
			break;
		}
		off = vo + e->len;
	}
}

int nhrp_decode(const uint8_t *buf, size_t len, struct nhrp_pkt *p)
{
	size_t off, end, pktsz;
	uint32_t slot;
	int nlen, plen;
	uint8_t shtl, sstl;

	p->fault_off = 0;
	p->npool = 0;
	p->next = 0;
	p->unknown_c_off = 0;
	p->cie.first = p->cie.count = 0;
	p->body = NULL;
	p->body_len = 0;

	if (buf == NULL || len < NHRP_HDR_LEN)
		return fail(p, NHRP_E_SHORT, len);
	p->afn = rd16(buf);
	p->pro_type = rd16(buf + 2);
	memcpy(p->pro_snap, buf + 4, 5);
	p->hopcnt = buf[NHRP_OFF_HOPCNT];
	p->pktsz = rd16(buf + 10);
	p->chksum = rd16(buf + 12);
	p->extoff = rd16(buf + 14);
	p->type = buf[17];
	shtl = buf[18];
	sstl = buf[19];

	pktsz = p->pktsz;
	if (pktsz < NHRP_HDR_LEN || pktsz > len)
		return fail(p, NHRP_E_PKTSZ, 10);
	if (nhrp_checksum(buf, pktsz) != 0)
		return fail(p, NHRP_E_CHECKSUM, 12);
	if (buf[16] != NHRP_VERSION)
		return fail(p, NHRP_E_VERSION, 16);
	if (p->type < NHRP_PKT_RES_REQ || p->type > NHRP_PKT_TRAFFIC)
		return fail(p, NHRP_E_TYPE, 17);
	nlen = afn_addr_len(p->afn);
	if (nlen == 0)
		return fail(p, NHRP_E_AFN, 0);
	plen = pro_addr_len(p->pro_type);

	p->src_nbma.type = shtl & 0xc0;
	p->src_nbma.len = shtl & 0x3f;
	p->src_nbma_sub.type = sstl & 0xc0;
	p->src_nbma_sub.len = sstl & 0x3f;
	if (!addr_len_ok(p->src_nbma.len, nlen))
		return fail(p, NHRP_E_ADDRLEN, 18);
	if (p->src_nbma_sub.len > NHRP_ADDR_MAX)
		return fail(p, NHRP_E_ADDRLEN, 19);

	/* mandatory part */
	off = NHRP_HDR_LEN;
	if (pktsz - off < NHRP_MAND_LEN)
		return fail(p, NHRP_E_MANDATORY, off);
	p->src_proto.type = p->dst_proto.type = 0;
	p->src_proto.len = buf[20];
	p->dst_proto.len = buf[21];
	if (!addr_len_ok(p->src_proto.len, plen))
		return fail(p, NHRP_E_ADDRLEN, 20);
	if (!addr_len_ok(p->dst_proto.len, plen))
		return fail(p, NHRP_E_ADDRLEN, 21);
	p->flags = rd16(buf + 22);
	slot = rd32(buf + 24);
	p->reqid = 0;
	p->error_code = p->error_offset = 0;
	p->traffic_code = p->traffic_rsvd = 0;
	if (p->type == NHRP_PKT_ERROR) {
		p->error_code = slot >> 16;
		p->error_offset = slot & 0xffff;
	} else if (p->type == NHRP_PKT_TRAFFIC) {
		p->traffic_code = slot >> 16;
		p->traffic_rsvd = slot & 0xffff;
	} else
		p->reqid = slot;
	off += NHRP_MAND_LEN;
	if (pktsz - off < (size_t)p->src_nbma.len + p->src_nbma_sub.len +
				  p->src_proto.len + p->dst_proto.len)
		return fail(p, NHRP_E_MANDATORY, off);
	take_addr(&p->src_nbma, buf, &off);
	take_addr(&p->src_nbma_sub, buf, &off);
	take_addr(&p->src_proto, buf, &off);
	take_addr(&p->dst_proto, buf, &off);

	/* from here on an Error Indication can be addressed */
	end = pktsz;
	if (p->extoff) {
		if (p->extoff < off || p->extoff > pktsz)
			return fail(p, NHRP_E_EXTOFF, 14);
		end = p->extoff;
	}
	if (p->type == NHRP_PKT_ERROR || p->type == NHRP_PKT_TRAFFIC) {
		p->body = buf + off;
		p->body_len = (uint16_t)(end - off);
	} else {
		int r = parse_cies(p, buf, off, end, &p->cie, NHRP_E_CIE);

		if (r)
			return r;
	}
	if (p->extoff)
		return parse_exts(p, buf, p->extoff, pktsz);
	return 0;
}

/* ---- encoding -------------------------------------------------------- */

/* a writer that counts past the end of buf instead of writing there */
struct wr {
	uint8_t *buf;
	size_t len, off;
};

static void w8(struct wr *w, uint8_t v)
{
	if (w->buf && w->off < w->len)
		w->buf[w->off] = v;
	w->off++;
}

static void w16(struct wr *w, uint16_t v)
{
	w8(w, v >> 8);
	w8(w, v & 0xff);
}

static void w32(struct wr *w, uint32_t v)
{
	w16(w, v >> 16);
	w16(w, v & 0xffff);
}

static void wbytes(struct wr *w, const void *src, size_t n)
{
	if (w->buf && w->off < w->len && n)
		memcpy(w->buf + w->off, src,
		       n < w->len - w->off ? n : w->len - w->off);
	w->off += n;
}

/* overwrite 2 bytes at a known offset (if they were written) */
static void w16at(struct wr *w, size_t at, uint16_t v)
{
	if (w->buf && at + 2 <= w->len)
		put16(w->buf + at, v);
}

static bool nbma_ok(const struct nhrp_addr *a)
{
	return a->len <= NHRP_ADDR_MAX && (a->type & 0x3f) == 0;
}

/*
 * The lengths the decoder accepts (addr_len_ok()); an address family the
 * decoder does not know leaves the length to the caller, up to 16.
 */
static bool enc_len_ok(unsigned int len, int want)
{
	return addr_len_ok(len, want == 0 ? -1 : want);
}

static bool list_ok(const struct nhrp_pkt *p, struct nhrp_cies l)
{
	return l.count == 0 ||
	       ((size_t)l.first + l.count <= p->npool &&
		p->npool <= NHRP_CIE_MAX);
}

static int put_cies(struct wr *w, const struct nhrp_pkt *p,
		    struct nhrp_cies l)
{
	int nlen = afn_addr_len(p->afn), plen = pro_addr_len(p->pro_type);
	unsigned int i;

	if (!list_ok(p, l))
		return -NHRP_E_INVALID;
	for (i = 0; i < l.count; i++) {
		const struct nhrp_cie *c = NHRP_CIE(p, l, i);

		/* what the decoder would refuse is never written */
		if (!nbma_ok(&c->nbma) || !nbma_ok(&c->nbma_sub) ||
		    c->proto.len > NHRP_ADDR_MAX)
			return -NHRP_E_INVALID;
		if (!enc_len_ok(c->nbma.len, nlen) ||
		    !enc_len_ok(c->proto.len, plen))
			return -NHRP_E_ADDRLEN;
		w8(w, c->code);
		w8(w, c->prefix_len);
		w16(w, c->rsvd);
		w16(w, c->mtu);
		w16(w, c->holdtime);
		w8(w, c->nbma.type | c->nbma.len);
		w8(w, c->nbma_sub.type | c->nbma_sub.len);
		w8(w, c->proto.len);
		w8(w, c->pref);
		wbytes(w, c->nbma.a, c->nbma.len);
		wbytes(w, c->nbma_sub.a, c->nbma_sub.len);
		wbytes(w, c->proto.a, c->proto.len);
	}
	return 0;
}

static int put_ext(struct wr *w, const struct nhrp_pkt *p,
		   const struct nhrp_ext *e)
{
	size_t hdr = w->off, vlen;
	int r = 0;

	if (e->type > NHRP_EXT_TYPE_MASK ||
	    (e->flags & NHRP_EXT_TYPE_MASK) != 0)
		return -NHRP_E_INVALID;
	w16(w, e->type | e->flags);
	w16(w, 0);
	if (e->raw || !ext_known(e->type)) {
		if (e->len && !e->data)
			return -NHRP_E_INVALID;
		wbytes(w, e->data, e->len);
	} else {
		switch (e->type) {
		case NHRP_EXT_END:
			break;
		case NHRP_EXT_RESPONDER:
		case NHRP_EXT_FWD_TRANSIT:
		case NHRP_EXT_REV_TRANSIT:
		case NHRP_EXT_NAT_ADDRESS:
			r = put_cies(w, p, e->cie);
			break;
		case NHRP_EXT_AUTH:
			w32(w, e->auth_type);
			if (e->value_len && !e->value)
				return -NHRP_E_INVALID;
			wbytes(w, e->value, e->value_len);
			break;
		case NHRP_EXT_VENDOR:
			wbytes(w, e->oui, 3);
			if (e->value_len && !e->value)
				return -NHRP_E_INVALID;
			wbytes(w, e->value, e->value_len);
			break;
		}
	}
	vlen = w->off - hdr - NHRP_EXT_HDR_LEN;
	if (vlen > 0xffff)
		return -NHRP_E_TOOBIG;
	w16at(w, hdr + 2, (uint16_t)vlen);
	return r;
}

static int encode(const struct nhrp_pkt *p, uint8_t *buf, size_t len,
		  bool keep_ffff)
{
	struct wr w = { .buf = buf, .len = buf ? len : 0, .off = 0 };
	size_t extoff = 0;
	unsigned int i;
	int r;

	if (p->type < NHRP_PKT_RES_REQ || p->type > NHRP_PKT_TRAFFIC)
		return -NHRP_E_TYPE;
	if (!nbma_ok(&p->src_nbma) || !nbma_ok(&p->src_nbma_sub) ||
	    p->src_proto.len > NHRP_ADDR_MAX ||
	    p->dst_proto.len > NHRP_ADDR_MAX || p->next > NHRP_EXT_MAX)
		return -NHRP_E_INVALID;
	if (!enc_len_ok(p->src_nbma.len, afn_addr_len(p->afn)) ||
	    !enc_len_ok(p->src_proto.len, pro_addr_len(p->pro_type)) ||
	    !enc_len_ok(p->dst_proto.len, pro_addr_len(p->pro_type)))
		return -NHRP_E_ADDRLEN;

	/* fixed header; pktsz, chksum and extoff are filled in at the end */
	w16(&w, p->afn);
	w16(&w, p->pro_type);
	wbytes(&w, p->pro_snap, 5);
	w8(&w, p->hopcnt);
	w16(&w, 0);
	w16(&w, 0);
	w16(&w, 0);
	w8(&w, NHRP_VERSION);
	w8(&w, p->type);
	w8(&w, p->src_nbma.type | p->src_nbma.len);
	w8(&w, p->src_nbma_sub.type | p->src_nbma_sub.len);

	/* mandatory part */
	w8(&w, p->src_proto.len);
	w8(&w, p->dst_proto.len);
	w16(&w, p->flags);
	if (p->type == NHRP_PKT_ERROR) {
		w16(&w, p->error_code);
		w16(&w, p->error_offset);
	} else if (p->type == NHRP_PKT_TRAFFIC) {
		w16(&w, p->traffic_code);
		w16(&w, p->traffic_rsvd);
	} else
		w32(&w, p->reqid);
	wbytes(&w, p->src_nbma.a, p->src_nbma.len);
	wbytes(&w, p->src_nbma_sub.a, p->src_nbma_sub.len);
	wbytes(&w, p->src_proto.a, p->src_proto.len);
	wbytes(&w, p->dst_proto.a, p->dst_proto.len);
	if (p->type == NHRP_PKT_ERROR || p->type == NHRP_PKT_TRAFFIC) {
		if (p->body_len && !p->body)
			return -NHRP_E_INVALID;
		wbytes(&w, p->body, p->body_len);
	} else {
		r = put_cies(&w, p, p->cie);
		if (r)
			return r;
	}

	if (p->next) {
		extoff = w.off;
		for (i = 0; i < p->next; i++) {
			r = put_ext(&w, p, &p->ext[i]);
			if (r)
				return r;
		}
		if (p->ext[p->next - 1].type != NHRP_EXT_END) {
			w16(&w, NHRP_EXT_COMPULSORY | NHRP_EXT_END);
			w16(&w, 0);
		}
	}
	if (w.off > 0xffff || extoff > 0xffff)
		return -NHRP_E_TOOBIG;
	if (!buf)
		return (int)w.off;
	if (w.off > len)
		return -NHRP_E_SPACE;

	put16(buf + 10, (uint16_t)w.off);
	put16(buf + 14, (uint16_t)extoff);
	put16(buf + 12, nhrp_checksum(buf, w.off));
	if (keep_ffff && p->chksum == 0xffff && rd16(buf + 12) == 0)
		put16(buf + 12, 0xffff);
	return (int)w.off;
}

int nhrp_encode(const struct nhrp_pkt *p, uint8_t *buf, size_t len)
{
	return encode(p, buf, len, false);
}

int nhrp_reencode(const struct nhrp_pkt *p, uint8_t *buf, size_t len)
{
	return encode(p, buf, len, true);
}

/* ---- building -------------------------------------------------------- */

void nhrp_pkt_init(struct nhrp_pkt *p, uint8_t type, uint16_t afn,
		   uint16_t pro_type)
{
	/* ext[] entries are cleared as nhrp_ext_add() hands them out */
	memset(p, 0, offsetof(struct nhrp_pkt, ext));
	p->next = 0;
	p->unknown_c_off = p->fault_off = 0;
	p->npool = 0;
	p->type = type;
	p->afn = afn;
	p->pro_type = pro_type;
	p->hopcnt = NHRP_HOPCNT_DEFAULT;
}

int nhrp_addr_set(struct nhrp_addr *a, const void *bytes, size_t len)
{
	if (len > NHRP_ADDR_MAX)
		return -1;
	a->len = (uint8_t)len;
	a->type = 0;
	if (len)
		memcpy(a->a, bytes, len);
	memset(a->a + len, 0, NHRP_ADDR_MAX - len);
	return 0;
}

static void shift_list(struct nhrp_cies *l, const struct nhrp_cies *skip,
		       unsigned int pos)
{
	if (l != skip && l->count && l->first >= pos)
		l->first++;
}

struct nhrp_cie *nhrp_cie_add(struct nhrp_pkt *p, struct nhrp_cies *list)
{
	unsigned int pos, i;

	if (p->npool >= NHRP_CIE_MAX)
		return NULL;
	if (list->count == 0)
		list->first = p->npool;
	pos = list->first + list->count;
	if (pos > p->npool)
		return NULL;
	if (pos < p->npool) {
		memmove(&p->pool[pos + 1], &p->pool[pos],
			(p->npool - pos) * sizeof(p->pool[0]));
		shift_list(&p->cie, list, pos);
		for (i = 0; i < p->next; i++)
			shift_list(&p->ext[i].cie, list, pos);
	}
	memset(&p->pool[pos], 0, sizeof(p->pool[pos]));
	p->npool++;
	list->count++;
	return &p->pool[pos];
}

struct nhrp_ext *nhrp_ext_add(struct nhrp_pkt *p, uint16_t type)
{
	unsigned int at = p->next;
	struct nhrp_ext *e;

	if (p->next >= NHRP_EXT_MAX)
		return NULL;
	if ((type & NHRP_EXT_TYPE_MASK) != NHRP_EXT_END && at > 0 &&
	    p->ext[at - 1].type == NHRP_EXT_END) {
		at--;
		p->ext[at + 1] = p->ext[at];
	}
	e = &p->ext[at];
	memset(e, 0, sizeof(*e));
	e->type = type & NHRP_EXT_TYPE_MASK;
	e->flags = type & ~NHRP_EXT_TYPE_MASK;
	e->cie.first = p->npool;
	p->next++;
	return e;
}

int nhrp_ext_find(const struct nhrp_pkt *p, uint16_t type)
{
	unsigned int i;

	for (i = 0; i < p->next; i++)
		if (p->ext[i].type == type)
			return (int)i;
	return -1;
}

/* ---- names ----------------------------------------------------------- */

#define NAME(tab, i) \
	((i) < sizeof(tab) / sizeof(tab[0]) && tab[i] ? tab[i] : "unknown")

static const char *const type_names[] = {
	[NHRP_PKT_RES_REQ] = "Resolution Request",
	[NHRP_PKT_RES_REPLY] = "Resolution Reply",
	[NHRP_PKT_REG_REQ] = "Registration Request",
	[NHRP_PKT_REG_REPLY] = "Registration Reply",
	[NHRP_PKT_PURGE_REQ] = "Purge Request",
	[NHRP_PKT_PURGE_REPLY] = "Purge Reply",
	[NHRP_PKT_ERROR] = "Error Indication",
	[NHRP_PKT_TRAFFIC] = "Traffic Indication",
};

static const char *const error_names[] = {
	[NHRP_ERR_UNRECOGNIZED_EXT] = "Unrecognized Extension",
	[NHRP_ERR_LOOP_DETECTED] = "Loop Detected",
	[NHRP_ERR_PROTO_UNREACHABLE] = "Protocol Address Unreachable",
	[NHRP_ERR_PROTOCOL] = "Protocol Error",
	[NHRP_ERR_SDU_SIZE] = "SDU Size Exceeded",
	[NHRP_ERR_INVALID_EXT] = "Invalid Extension",
	[NHRP_ERR_INVALID_RES_REPLY] = "Invalid Resolution Reply Received",
	[NHRP_ERR_AUTH_FAILURE] = "Authentication Failure",
	[NHRP_ERR_HOP_COUNT] = "Hop Count Exceeded",
};

static const char *const cie_code_names[] = {
	[NHRP_CODE_SUCCESS] = "Success",
	[NHRP_CODE_ADMIN_PROHIBITED] = "Administratively Prohibited",
	[NHRP_CODE_NO_RESOURCES] = "Insufficient Resources",
	[NHRP_CODE_NO_BINDING] = "No Internetworking Layer to NBMA Binding Exists",
	[NHRP_CODE_NOT_UNIQUE] = "Binding Exists But Is Not Unique",
	[NHRP_CODE_ALREADY_REGISTERED] = "Unique Internetworking Layer Address Already Registered",
};

static const char *const ext_names[] = {
	[NHRP_EXT_END] = "End of Extensions",
	[NHRP_EXT_RESPONDER] = "Responder Address",
	[NHRP_EXT_FWD_TRANSIT] = "Forward Transit NHS Record",
	[NHRP_EXT_REV_TRANSIT] = "Reverse Transit NHS Record",
	[NHRP_EXT_AUTH] = "Authentication",
	[NHRP_EXT_VENDOR] = "Vendor-Private",
	[NHRP_EXT_NAT_ADDRESS] = "Cisco NAT Address",
};

static const struct {
	const char *name;
	uint16_t error_code;
} reasons[NHRP_E__MAX] = {
	[NHRP_OK] = { "ok", 0 },
	[NHRP_E_SHORT] = { "shorter than the fixed header", 0 },
	[NHRP_E_PKTSZ] = { "packet size field out of range", 0 },
	[NHRP_E_CHECKSUM] = { "bad checksum", 0 },
	[NHRP_E_VERSION] = { "unsupported version", 0 },
	[NHRP_E_TYPE] = { "unknown packet type", 0 },
	[NHRP_E_AFN] = { "unsupported address family", 0 },
	[NHRP_E_ADDRLEN] = { "bad address length", 0 },
	[NHRP_E_MANDATORY] = { "truncated mandatory part", 0 },
	[NHRP_E_EXTOFF] = { "extension offset out of range", NHRP_ERR_PROTOCOL },
	[NHRP_E_CIE] = { "malformed client information entry", NHRP_ERR_PROTOCOL },
	[NHRP_E_CIE_COUNT] = { "too many client information entries", NHRP_ERR_PROTOCOL },
	[NHRP_E_EXT] = { "truncated extension", NHRP_ERR_INVALID_EXT },
	[NHRP_E_EXT_VALUE] = { "malformed extension value", NHRP_ERR_INVALID_EXT },
	[NHRP_E_EXT_COUNT] = { "too many extensions", NHRP_ERR_INVALID_EXT },
	[NHRP_E_EXT_NOEND] = { "no end of extensions", NHRP_ERR_INVALID_EXT },
	[NHRP_E_EXT_TRAILING] = { "data after end of extensions", NHRP_ERR_INVALID_EXT },
	[NHRP_E_EXT_UNKNOWN] = { "unrecognized compulsory extension", NHRP_ERR_UNRECOGNIZED_EXT },
	[NHRP_E_SPACE] = { "buffer too small", 0 },
	[NHRP_E_INVALID] = { "invalid packet structure", 0 },
	[NHRP_E_TOOBIG] = { "packet too big", 0 },
};

const char *nhrp_type_name(unsigned int type)
{
	return NAME(type_names, type);
}

const char *nhrp_error_name(unsigned int code)
{
	return NAME(error_names, code);
}

const char *nhrp_cie_code_name(unsigned int code)
{
	return NAME(cie_code_names, code);
}

const char *nhrp_ext_name(unsigned int type)
{
	return NAME(ext_names, type);
}

static unsigned int reason_index(int reason)
{
	unsigned int r = reason < 0 ? 0u - (unsigned int)reason
				    : (unsigned int)reason;

	return r < NHRP_E__MAX ? r : NHRP_E__MAX;
}

const char *nhrp_reason_name(int reason)
{
	unsigned int r = reason_index(reason);

	return r < NHRP_E__MAX ? reasons[r].name : "unknown";
}

uint16_t nhrp_reason_error_code(int reason)
{
	unsigned int r = reason_index(reason);

	return r < NHRP_E__MAX ? reasons[r].error_code : 0;
}
