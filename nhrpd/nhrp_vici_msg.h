// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nhrpd: the strongSwan VICI message codec.
 *
 * The only code that reads or writes VICI bytes.  Plain C11 and libc: no
 * I/O, no allocation, no global state, no FRR (like nhrp_codec.[ch] is for
 * NHRP).  The protocol is strongSwan's documented one (src/libcharon/
 * plugins/vici/README.md); the numbers are below.
 *
 * A frame on the socket is a 4-byte big-endian length and that many bytes
 * of packet: one byte of type (enum vici_op), for the named types a 1-byte
 * length and a name, and for requests, responses and events a message: a
 * sequence of elements (enum vici_el) forming sections, key/values and
 * lists of values.
 *
 *   vici_frame_len()   how long the frame starting in buf is.
 *   vici_decode()      one frame -> struct vici_packet, validating every
 *                      length and the nesting of the whole message.
 *   vici_next()        walk the elements of a message or of a section/list
 *                      (struct vici_iter); vici_find*() look a key up.
 *   vici_build_*()     build a frame into a caller's buffer.
 *   vici_parse_event() the IKE/child SA of an event (ike-updown,
 *                      child-updown, ike-rekey, child-rekey, list-sa) as
 *                      struct vici_sa_event.
 *
 * Lifetimes.  A decoded packet and every element point into the decoded
 * buffer (names and values are not NUL-terminated: struct vici_str); they
 * are valid as long as the buffer.  vici_parse_event() copies what it
 * keeps, so its result outlives the buffer.
 *
 * Walking never reads outside the span it was given, also on input that
 * vici_decode() did not validate (it then returns -VICI_E_*).
 */
#ifndef NHRP_VICI_MSG_H
#define NHRP_VICI_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- numbers from the VICI protocol ---------------------------------- */

/* packet types: the first byte of a packet */
enum vici_op {
	VICI_CMD_REQUEST = 0,	   /* named, message */
	VICI_CMD_RESPONSE = 1,	   /* message */
	VICI_CMD_UNKNOWN = 2,	   /* -: the command does not exist */
	VICI_EVENT_REGISTER = 3,   /* named */
	VICI_EVENT_UNREGISTER = 4, /* named */
	VICI_EVENT_CONFIRM = 5,	   /* -: (un)registration done */
	VICI_EVENT_UNKNOWN = 6,	   /* -: the event does not exist */
	VICI_EVENT = 7,		   /* named, message */
};

/* message elements */
enum vici_el {
	VICI_SECTION_START = 1, /* name */
	VICI_SECTION_END = 2,	/* - */
	VICI_KEY_VALUE = 3,	/* name, 2-byte length, value */
	VICI_LIST_START = 4,	/* name */
	VICI_LIST_ITEM = 5,	/* 2-byte length, value */
	VICI_LIST_END = 6,	/* - */
};

#define VICI_HDR_LEN	4		/* the length in front of a packet */
#define VICI_MSG_MAX	(512 * 1024)	/* packet length: charon's limit */
#define VICI_NAME_MAX	255		/* 1-byte length */
#define VICI_VALUE_MAX	65535		/* 2-byte length */
#define VICI_DEPTH_MAX	32		/* sections and lists nested */

/* why a frame was refused: the functions return -reason */
enum vici_reason {
	VICI_OK = 0,
	VICI_E_SHORT,	  /* fewer bytes than the frame (or its header) */
	VICI_E_TOOBIG,	  /* packet length > VICI_MSG_MAX */
	VICI_E_EMPTY,	  /* packet length 0: no type */
	VICI_E_OP,	  /* packet type not 0-7 */
	VICI_E_NAME,	  /* empty name, NUL in a name, packet name
			   * past the end */
	VICI_E_TRAILING,  /* bytes after a packet that carries no message */
	VICI_E_ELEMENT,	  /* element type not 1-6 */
	VICI_E_TRUNCATED, /* element runs past the end of the message */
	VICI_E_NESTING,	  /* end without start, item outside a list,
			   * key or section in a list, unclosed at the end */
	VICI_E_DEPTH,	  /* nested deeper than VICI_DEPTH_MAX */
	VICI_E_SPACE,	  /* build: the buffer is too small */
	VICI_E_INVALID,	  /* build: name/value too long, element where
			   * it may not be, packet type without name */
	VICI_E_SA,	  /* parse: not an SA event, or a field unusable */
	VICI_E__MAX
};

/* ---- decoded packets ------------------------------------------------- */

/* bytes inside a decoded buffer; not NUL-terminated */
struct vici_str {
	const char *p;
	size_t len;
};

/* a range of message elements (a whole message, or a section's/list's
 * contents between its start and end elements) */
struct vici_span {
	const uint8_t *p;
	size_t len;
};

struct vici_packet {
	uint8_t op;		/* enum vici_op */
	struct vici_str name;	/* types 0, 3, 4, 7; else empty */
	struct vici_span msg;	/* types 0, 1, 7; else empty */
	size_t frame_len;	/* VICI_HDR_LEN + packet length */
	size_t fault_off;	/* on failure: offset in the frame */
};

/*
 * The frame at buf[0..len): 0 with *frame_len = VICI_HDR_LEN + its packet
 * length once the 4 header bytes are there (the rest may still be
 * missing), -VICI_E_SHORT before, -VICI_E_TOOBIG or -VICI_E_EMPTY for a
 * length no frame may have (the stream cannot be resynchronised).
 */
int vici_frame_len(const uint8_t *buf, size_t len, size_t *frame_len);

/*
 * Decode the frame at buf[0..len) (bytes after it are not looked at).
 * Returns 0, or -reason with out->fault_off set.  The whole message is
 * validated: element types, lengths, names (1-255 bytes, no NUL: they
 * are identifiers; values may hold any bytes), nesting (sections and
 * lists closed in order, list items only in lists and nothing else there)
 * and depth.  Packet types 2, 5, 6 carry nothing; 3 and 4 only a name.
 */
int vici_decode(const uint8_t *buf, size_t len, struct vici_packet *out);

/* validate a message alone (as vici_decode() does); *fault_off is the
 * offset in msg of the faulty element */
int vici_validate(struct vici_span msg, size_t *fault_off);

/* ---- walking a message ----------------------------------------------- */

struct vici_elem {
	uint8_t type;		/* VICI_SECTION_START, VICI_KEY_VALUE,
				 * VICI_LIST_START; in a list VICI_LIST_ITEM */
	struct vici_str name;	/* not for list items */
	struct vici_str value;	/* key/value, list item */
	struct vici_span body;	/* section, list: its contents */
};

struct vici_iter {
	struct vici_span s;
	size_t pos;
};

void vici_iter_init(struct vici_iter *it, struct vici_span s);

/*
 * The next element at this level (a section or list is returned whole,
 * with its contents in e->body, and skipped).  Returns 1, 0 at the end, or
 * -reason on malformed input (the iterator then stays at the end).
 */
int vici_next(struct vici_iter *it, struct vici_elem *e);

/* compare a wire string with a C string */
bool vici_str_eq(struct vici_str s, const char *c);

/*
 * The first element named `name` directly in s (no recursion).  `path`
 * versions take names separated by '/', each but the last a section:
 * vici_find_path(s, "child-sas/dmvpn-3/reqid", &e).  Return true if found.
 */
bool vici_find(struct vici_span s, const char *name, struct vici_elem *e);
bool vici_find_path(struct vici_span s, const char *path,
		    struct vici_elem *e);
/* a key/value's value; a section's contents */
bool vici_find_value(struct vici_span s, const char *name,
		     struct vici_str *v);
bool vici_find_section(struct vici_span s, const char *name,
		       struct vici_span *body);
/*
 * A key/value copied into buf as a C string.  Returns its length, -1 when
 * absent (or not a key/value), -2 when it does not fit in size - 1 bytes
 * or contains a NUL byte (buf is then "").
 */
int vici_find_str(struct vici_span s, const char *name, char *buf,
		  size_t size);
/* a key/value holding a decimal number <= max (no sign, no spaces) */
bool vici_find_uint(struct vici_span s, const char *name, uint64_t max,
		    uint64_t *v);
/* a key/value that is "yes" (charon's booleans; "no" or absent: false) */
bool vici_find_yes(struct vici_span s, const char *name);

/* ---- building -------------------------------------------------------- */

struct vici_builder {
	uint8_t *buf;		/* NULL: count only */
	size_t size, len;
	int err;		/* first error, as -reason; sticky */
	uint8_t op;
	uint8_t depth;
	uint8_t open[VICI_DEPTH_MAX]; /* VICI_SECTION_START / LIST_START */
};

/*
 * Start a frame of packet type op into buf[0..size) (NULL: only count).
 * The named types need a name of 1-255 bytes, the others take none
 * (pass NULL).  Then add elements (types 0, 1 and 7 only), and
 * vici_build_finish() returns the frame length or -reason.  Errors are
 * sticky: build everything, check once at the end.  Nothing is written
 * past size.
 */
void vici_build_init(struct vici_builder *b, uint8_t *buf, size_t size,
		     uint8_t op, const char *name);
void vici_build_kv(struct vici_builder *b, const char *key, const void *value,
		   size_t len);
void vici_build_kv_str(struct vici_builder *b, const char *key,
		       const char *value);
void vici_build_kv_uint(struct vici_builder *b, const char *key,
			uint64_t value);
void vici_build_section(struct vici_builder *b, const char *name);
void vici_build_list(struct vici_builder *b, const char *name);
void vici_build_item(struct vici_builder *b, const void *value, size_t len);
void vici_build_item_str(struct vici_builder *b, const char *value);
/* close the innermost open section or list */
void vici_build_end(struct vici_builder *b);
int vici_build_finish(struct vici_builder *b);

/* ---- SA events ------------------------------------------------------- */

/* charon's IKE_SA states (ike_sa_state_names) */
enum vici_ike_state {
	VICI_IKE_UNKNOWN = 0,
	VICI_IKE_CREATED,
	VICI_IKE_CONNECTING,
	VICI_IKE_ESTABLISHED,
	VICI_IKE_PASSIVE,
	VICI_IKE_REKEYING,
	VICI_IKE_REKEYED,
	VICI_IKE_DELETING,
	VICI_IKE_DESTROYING,
};

/* charon's CHILD_SA states (child_sa_state_names) */
enum vici_child_state {
	VICI_CHILD_UNKNOWN = 0,
	VICI_CHILD_CREATED,
	VICI_CHILD_ROUTED,
	VICI_CHILD_INSTALLING,
	VICI_CHILD_INSTALLED,
	VICI_CHILD_UPDATING,
	VICI_CHILD_REKEYING,
	VICI_CHILD_REKEYED,
	VICI_CHILD_RETRYING,
	VICI_CHILD_DELETING,
	VICI_CHILD_DELETED,
	VICI_CHILD_DESTROYING,
};

#define VICI_SA_NAME_MAX 128	/* connection / child names, with NUL */
#define VICI_SA_HOST_MAX 64	/* an address as text, with NUL */
#define VICI_SA_ID_MAX	 1024	/* an identity (X.509 subject...), with NUL */
#define VICI_SA_CHILD_MAX 8	/* child SAs kept per IKE SA */

struct vici_child_sa {
	char name[VICI_SA_NAME_MAX];	/* child config name */
	uint32_t uniqueid;
	uint32_t reqid;
	enum vici_child_state state;
	bool transport;			/* mode TRANSPORT */
	bool esp;			/* protocol ESP (else AH) */
	uint32_t spi_in, spi_out;	/* 0 if not (yet) known */
};

struct vici_ike_sa {
	char name[VICI_SA_NAME_MAX];	/* connection name (the section's) */
	uint32_t uniqueid;
	uint8_t version;		/* 1 or 2; 0 if not given */
	enum vici_ike_state state;
	bool initiator;
	char local_host[VICI_SA_HOST_MAX], remote_host[VICI_SA_HOST_MAX];
	uint16_t local_port, remote_port;
	/* the hosts as binary addresses: len 4 (IPv4), 16 (IPv6), 0 (not an
	 * address, e.g. "%any") */
	uint8_t local_addr[16], remote_addr[16];
	uint8_t local_addr_len, remote_addr_len;
	char local_id[VICI_SA_ID_MAX], remote_id[VICI_SA_ID_MAX];
	/* child SAs in message order; child_total counts all, also those
	 * beyond VICI_SA_CHILD_MAX that were not kept */
	uint8_t nchild;
	uint16_t child_total;
	struct vici_child_sa child[VICI_SA_CHILD_MAX];
};

enum vici_sa_event_type {
	VICI_SA_EV_IKE_UPDOWN = 1,
	VICI_SA_EV_IKE_REKEY,
	VICI_SA_EV_CHILD_UPDOWN,
	VICI_SA_EV_CHILD_REKEY,
	VICI_SA_EV_LIST_SA,	/* one SA streamed by list-sas */
};

/*
 * What the SA events of stock charon (5.9) carry:
 *   ike-updown   [up=yes] + section <conn> {IKE fields}; no child SAs
 *   child-updown [up=yes] + <conn> {IKE fields, child-sas {<child>-<id>
 *                {child fields}}}: ike.child[0] is the child
 *   ike-rekey    <conn> {old {IKE fields}, new {IKE fields}}: ike is the
 *                new SA, old_ike the old one
 *   child-rekey  <conn> {IKE fields, child-sas {<child> {old {...},
 *                new {...}}}}: ike.child[0] is the new child, old_child
 *                the old one
 *   list-sa      <conn> {IKE fields, child-sas {<child>-<id> {...}...}}
 * The identities are charon's text form (an IP address, FQDN, or an X.509
 * subject like "C=CH, O=strongSwan, CN=moon").
 */
struct vici_sa_event {
	enum vici_sa_event_type type;
	bool up;			/* *-updown: "up = yes" */
	struct vici_ike_sa ike;
	struct vici_ike_sa old_ike;	/* ike-rekey */
	struct vici_child_sa old_child;	/* child-rekey */
};

/* the vici_sa_event_type of an event name, or 0 */
int vici_sa_event_type(struct vici_str name);

/*
 * Parse an SA event packet (type VICI_EVENT named ike-updown, ike-rekey,
 * child-updown, child-rekey or list-sa).  Returns 0, or -VICI_E_SA when it
 * is not one, lacks the SA section, has no or a bad "uniqueid", or a
 * host/identity/name too long to keep (never truncated: identities are
 * compared).  Unknown keys are ignored.
 */
int vici_parse_event(const struct vici_packet *pkt, struct vici_sa_event *ev);

/* the IKE fields (and child-sas) of one IKE SA section's contents */
int vici_parse_ike_sa(struct vici_str name, struct vici_span body,
		      struct vici_ike_sa *sa);

/* ---- names ----------------------------------------------------------- */

const char *vici_op_name(unsigned int op);	  /* "CMD_REQUEST" */
const char *vici_reason_name(int reason);	  /* either sign */
const char *vici_ike_state_name(enum vici_ike_state s);	    /* "ESTABLISHED" */
const char *vici_child_state_name(enum vici_child_state s); /* "INSTALLED" */

#endif /* NHRP_VICI_MSG_H */
