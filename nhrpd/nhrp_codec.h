// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nhrpd: the NHRP wire codec (RFC 2332 plus the Cisco DMVPN additions).
 *
 * The only code that reads or writes NHRP packet bytes.  Plain C11 and
 * libc: no I/O, no allocation, no global state, no FRR.
 *
 *   nhrp_decode()   bytes -> struct nhrp_pkt, validating every length,
 *                   offset and the checksum; failure = -enum nhrp_reason,
 *                   with pkt->fault_off = offset of the faulty byte.
 *   nhrp_encode()   struct nhrp_pkt -> bytes; computes ar$pktsz, ar$extoff,
 *                   ar$shtl/sstl, every length field and the checksum.
 *   nhrp_reencode() a decoded packet back to the exact bytes it came from.
 *
 * Lifetimes.  A decoded packet copies the fixed header, the mandatory part,
 * every address and every client information entry (CIE) into the struct.
 * Only opaque byte ranges point into the decoded buffer: pkt->body (the
 * packet quoted by an Error/Traffic Indication), ext->data and ext->value.
 * They are valid as long as that buffer is.  When building, point them at
 * memory that lives until nhrp_encode() returns.
 *
 * CIEs.  All CIEs of a packet (mandatory part and extensions) live in one
 * pool inside the struct, pkt->pool[NHRP_CIE_MAX]; a list (struct nhrp_cies)
 * is a contiguous range of it.  Use NHRP_CIE(pkt, list, i) to reach one and
 * nhrp_cie_add() to append one (it keeps the other lists intact).  The
 * struct holds no pointers to itself: it may be copied with memcpy.
 * NHRP_CIE_MAX covers every packet that fits a 1500-byte MTU even with
 * empty 12-byte CIEs; a packet with more is refused (NHRP_E_CIE_COUNT).
 *
 * Extensions are kept in wire order, unknown ones included, End last.
 */
#ifndef NHRP_CODEC_H
#define NHRP_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- numbers from RFC 2332 (and Cisco where marked) ---------------- */

#define NHRP_VERSION		1
#define NHRP_HDR_LEN		20	/* fixed header */
#define NHRP_MAND_LEN		8	/* mandatory part before the addresses */
#define NHRP_CIE_LEN		12	/* CIE before its addresses */
#define NHRP_EXT_HDR_LEN	4
#define NHRP_HOPCNT_DEFAULT	255	/* what IOS sends */

/* ar$op.type */
enum nhrp_type {
	NHRP_PKT_RES_REQ = 1,
	NHRP_PKT_RES_REPLY = 2,
	NHRP_PKT_REG_REQ = 3,
	NHRP_PKT_REG_REPLY = 4,
	NHRP_PKT_PURGE_REQ = 5,
	NHRP_PKT_PURGE_REPLY = 6,
	NHRP_PKT_ERROR = 7,	/* Error Indication */
	NHRP_PKT_TRAFFIC = 8,	/* Cisco Traffic Indication (redirect) */
};

/* ar$afn (NBMA address family) and ar$pro.type (protocol) */
#define NHRP_AFN_IPV4		1
#define NHRP_AFN_IPV6		2
#define NHRP_PRO_IPV4		0x0800
#define NHRP_PRO_IPV6		0x86dd

/* flags of the mandatory part */
#define NHRP_FLAG_RES_Q		0x8000	/* requester is a router */
#define NHRP_FLAG_RES_A		0x4000	/* authoritative */
#define NHRP_FLAG_RES_D		0x2000	/* stable association */
#define NHRP_FLAG_RES_U		0x1000	/* unique */
#define NHRP_FLAG_RES_S		0x0800	/* stable binding */
#define NHRP_FLAG_REG_UNIQUE	0x8000
#define NHRP_FLAG_PURGE_N	0x8000	/* no reply */
#define NHRP_FLAG_NAT		0x0002	/* Cisco: NAT extension understood */

/* Error Indication error codes (RFC 2332 values, not OpenNHRP/FRR's) */
#define NHRP_ERR_UNRECOGNIZED_EXT	1
#define NHRP_ERR_LOOP_DETECTED		3
#define NHRP_ERR_PROTO_UNREACHABLE	6
#define NHRP_ERR_PROTOCOL		7
#define NHRP_ERR_SDU_SIZE		8
#define NHRP_ERR_INVALID_EXT		9
#define NHRP_ERR_INVALID_RES_REPLY	10
#define NHRP_ERR_AUTH_FAILURE		11
#define NHRP_ERR_HOP_COUNT		15

/* CIE codes */
#define NHRP_CODE_SUCCESS		0
#define NHRP_CODE_ADMIN_PROHIBITED	4
#define NHRP_CODE_NO_RESOURCES		5
#define NHRP_CODE_NO_BINDING		12
#define NHRP_CODE_NOT_UNIQUE		13
#define NHRP_CODE_ALREADY_REGISTERED	14

/* Traffic Indication traffic codes (Cisco) */
#define NHRP_TRAFFIC_REDIRECT		0

/* extension types (14 bits) and the bits above them */
#define NHRP_EXT_END		0
#define NHRP_EXT_RESPONDER	3
#define NHRP_EXT_FWD_TRANSIT	4
#define NHRP_EXT_REV_TRANSIT	5
#define NHRP_EXT_AUTH		7
#define NHRP_EXT_VENDOR		8
#define NHRP_EXT_NAT_ADDRESS	9	/* Cisco; RFC 2735 Device-Caps elsewhere */
#define NHRP_EXT_COMPULSORY	0x8000
#define NHRP_EXT_UBIT		0x4000	/* unused; kept as received */
#define NHRP_EXT_TYPE_MASK	0x3fff

/* Cisco: authentication type 1 = cleartext password of up to 8 bytes */
#define NHRP_AUTH_CLEARTEXT	1
#define NHRP_AUTH_CISCO_MAX	8
/* Cisco vendor-private: OUI 00000c, then TLVs; type 1 = "nhrp group" */
#define NHRP_OUI_CISCO		0x00000c
#define NHRP_VENDOR_CISCO_GROUP	1

/* ---- decoded structures --------------------------------------------- */

#define NHRP_ADDR_MAX	16	/* IPv6: the longest address we carry */
#define NHRP_CIE_MAX	128	/* CIEs per packet, all lists together */
#define NHRP_EXT_MAX	32	/* extensions per packet, End included */

/*
 * An address as carried on the wire; the decoder and nhrp_addr_set() zero
 * a[len..16), so two addresses compare equal with memcmp().
 * For NBMA addresses and subaddresses
 * `type` holds the two top bits of their type/length byte (0x40 = E.164,
 * 0x80 reserved), kept for faithful re-encoding; 0 for protocol addresses.
 */
struct nhrp_addr {
	uint8_t len;
	uint8_t type;
	uint8_t a[NHRP_ADDR_MAX];
};

struct nhrp_cie {
	uint8_t code;		/* NHRP_CODE_* */
	uint8_t prefix_len;
	uint16_t rsvd;		/* "unused": 0 when building */
	uint16_t mtu;
	uint16_t holdtime;
	uint8_t pref;
	struct nhrp_addr nbma, nbma_sub, proto;
};

/* a contiguous range of pkt->pool */
struct nhrp_cies {
	uint16_t first;
	uint16_t count;
};

#define NHRP_CIE(pkt, list, i) (&(pkt)->pool[(list).first + (i)])

/* offset of ar$hopcnt in the fixed header (error offset of code 15) */
#define NHRP_OFF_HOPCNT 9
/* offset of ar$pktsz (error offset of code 8, SDU Size Exceeded) */
#define NHRP_OFF_PKTSZ 10

/*
 * One extension.  What nhrp_encode() writes as its value:
 *   End                                  nothing
 *   Responder, Fwd/Rev Transit, Cisco NAT  the CIEs of `cie`
 *   Authentication                       auth_type (4 bytes) + value
 *   Vendor-Private                       oui (3 bytes) + value
 *   any other type, or `raw` set         data[0..len) verbatim
 * nhrp_decode() fills all of these, so `data`/`len` always give the value
 * as received.  A type 9 value that is not a list of CIEs (RFC 2735's
 * Device Capabilities share the number) is decoded with `raw` set.
 */
struct nhrp_ext {
	uint16_t type;		/* NHRP_EXT_*, without the top two bits */
	uint16_t flags;		/* NHRP_EXT_COMPULSORY, NHRP_EXT_UBIT */
	uint16_t off;		/* decode: offset of its header in the packet */
	uint16_t len;		/* value length */
	const uint8_t *data;	/* the value */
	bool raw;
	struct nhrp_cies cie;
	uint32_t auth_type;
	uint8_t oui[3];
	uint16_t value_len;
	const uint8_t *value;
};

struct nhrp_pkt {
	/* fixed header */
	uint16_t afn;		/* NHRP_AFN_* */
	uint16_t pro_type;	/* NHRP_PRO_* */
	uint8_t pro_snap[5];
	uint8_t hopcnt;
	uint8_t type;		/* enum nhrp_type */
	/* as received; nhrp_encode() computes its own */
	uint16_t pktsz, chksum, extoff;

	/* mandatory part */
	uint16_t flags;		/* NHRP_FLAG_*; "unused" in types 7 and 8 */
	uint32_t reqid;		/* types 1-6 */
	uint16_t error_code;	/* 7: NHRP_ERR_* */
	uint16_t error_offset;	/* 7 */
	uint16_t traffic_code;	/* 8: NHRP_TRAFFIC_* */
	uint16_t traffic_rsvd;	/* 8: "unused" */
	struct nhrp_addr src_nbma, src_nbma_sub, src_proto, dst_proto;
	struct nhrp_cies cie;	/* types 1-6 */
	const uint8_t *body;	/* 7, 8: the quoted packet */
	uint16_t body_len;

	struct nhrp_ext ext[NHRP_EXT_MAX];
	uint8_t next;		/* extensions in ext[] */

	/* decode results */
	uint16_t unknown_c_off;	/* first unrecognized compulsory ext, or 0 */
	uint16_t fault_off;	/* on failure: offset of the faulty field */

	uint16_t npool;
	struct nhrp_cie pool[NHRP_CIE_MAX];
};

/* ---- results -------------------------------------------------------- */

/* why a packet was refused: nhrp_decode()/nhrp_encode() return -reason */
enum nhrp_reason {
	NHRP_OK = 0,
	NHRP_E_SHORT,		/* shorter than the fixed header */
	NHRP_E_PKTSZ,		/* ar$pktsz < 20 or beyond the buffer */
	NHRP_E_CHECKSUM,	/* ar$chksum does not verify */
	NHRP_E_VERSION,		/* ar$op.version != 1 */
	NHRP_E_TYPE,		/* ar$op.type not 1-8 */
	NHRP_E_AFN,		/* ar$afn neither IPv4 nor IPv6 */
	NHRP_E_ADDRLEN,		/* address length wrong for afn/pro (decode:
				 * the header's; encode: any, CIEs included) */
	NHRP_E_MANDATORY,	/* mandatory part runs past ar$pktsz */
	NHRP_E_EXTOFF,		/* ar$extoff inside the mandatory part or past the end */
	NHRP_E_CIE,		/* CIE truncated or with bad address lengths */
	NHRP_E_CIE_COUNT,	/* more than NHRP_CIE_MAX CIEs */
	NHRP_E_EXT,		/* extension header or value runs past ar$pktsz */
	NHRP_E_EXT_VALUE,	/* known extension with a malformed value */
	NHRP_E_EXT_COUNT,	/* more than NHRP_EXT_MAX extensions */
	NHRP_E_EXT_NOEND,	/* extensions not closed by End (fault_off:
				 * the last extension, or 14 when none) */
	NHRP_E_EXT_TRAILING,	/* bytes after the End extension */
	NHRP_E_EXT_UNKNOWN,	/* not returned: see pkt->unknown_c_off */
	NHRP_E_SPACE,		/* encode: buffer too small */
	NHRP_E_INVALID,		/* encode: inconsistent struct */
	NHRP_E_TOOBIG,		/* encode: more than 65535 bytes */
	NHRP_E__MAX
};

/* ---- API ------------------------------------------------------------ */

/*
 * Decode the NHRP packet at buf[0..len) (bytes after ar$pktsz are ignored).
 * Returns 0, or -reason with out->fault_off set.  On success
 * out->unknown_c_off != 0 flags an unrecognized compulsory extension: a
 * transit NHS may forward the packet, the station answering must send an
 * Error Indication "Unrecognized Extension" (nhrp_reason_error_code(
 * NHRP_E_EXT_UNKNOWN)) with error offset out->unknown_c_off.  After a
 * failure with nhrp_reason_error_code(reason) != 0 the fixed header and the
 * mandatory part's addresses in *out are valid (the Error Indication can be
 * addressed); after any other failure *out must not be used.
 */
int nhrp_decode(const uint8_t *buf, size_t len, struct nhrp_pkt *out);

/*
 * Encode p into buf[0..len).  Returns the packet length, or -reason (the
 * contents of buf are then undefined; nothing is written past len).
 * With buf == NULL, returns the length the packet needs.  An End extension
 * is appended when p has extensions and the last one is not End.
 */
int nhrp_encode(const struct nhrp_pkt *p, uint8_t *buf, size_t len);

/*
 * Encode a packet decoded by nhrp_decode(), unchanged, back to the bytes it
 * was decoded from (also keeping a received 0xffff checksum, the other
 * one's-complement zero).  Same results as nhrp_encode().
 */
int nhrp_reencode(const struct nhrp_pkt *p, uint8_t *buf, size_t len);

/*
 * Internet checksum (one's complement of the one's complement sum of
 * 16-bit words, an odd last byte padded with 0).  Over a whole packet
 * carrying a correct ar$chksum the result is 0.
 */
uint16_t nhrp_checksum(const uint8_t *buf, size_t len);

/* ---- building ------------------------------------------------------- */

/* an empty packet: all fields 0 but type, afn, pro_type, hop count 255 */
void nhrp_pkt_init(struct nhrp_pkt *p, uint8_t type, uint16_t afn,
		   uint16_t pro_type);

/* copy len bytes into a; -1 if len > NHRP_ADDR_MAX */
int nhrp_addr_set(struct nhrp_addr *a, const void *bytes, size_t len);

/*
 * Append a zeroed CIE to list (&p->cie or &ext->cie of p).  Returns it,
 * or NULL when the pool is full.  Pool entries move: pointers from
 * NHRP_CIE() taken earlier are stale afterwards.
 */
struct nhrp_cie *nhrp_cie_add(struct nhrp_pkt *p, struct nhrp_cies *list);

/*
 * Add an extension (type | NHRP_EXT_COMPULSORY allowed) before a trailing
 * End, or at the end for End itself.  Returns it zeroed but for type/flags,
 * or NULL when NHRP_EXT_MAX are there.  May move ext[] entries.
 */
struct nhrp_ext *nhrp_ext_add(struct nhrp_pkt *p, uint16_t type);

/* index in p->ext[] of the first extension of this 14-bit type, or -1 */
int nhrp_ext_find(const struct nhrp_pkt *p, uint16_t type);

/* ---- names ---------------------------------------------------------- */

/* human names; "unknown" for numbers without one */
const char *nhrp_type_name(unsigned int type);		/* "Registration Request" */
const char *nhrp_error_name(unsigned int code);		/* "Loop Detected" */
const char *nhrp_cie_code_name(unsigned int code);	/* "Success" */
const char *nhrp_ext_name(unsigned int type);		/* "Responder Address" */
const char *nhrp_reason_name(int reason);		/* either sign */

/*
 * Error Indication code to answer a packet refused for this reason, or 0
 * when the packet must be dropped silently (header unusable, bad checksum).
 * Never answer an Error Indication with one.
 */
uint16_t nhrp_reason_error_code(int reason);

#endif /* NHRP_CODEC_H */
