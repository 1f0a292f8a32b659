// A thin C layer over rabbitmq-c: variadic calls Swift cannot make, AMQP tables built on the C stack
// (so no amqp_bytes_t outlives the string it points into), and one frame classifier for the I/O thread.
#ifndef MYOP_CRABBITMQ_SHIM_H
#define MYOP_CRABBITMQ_SHIM_H

#if __has_include(<rabbitmq-c/amqp.h>)
#include <rabbitmq-c/amqp.h>
#include <rabbitmq-c/tcp_socket.h>
#include <rabbitmq-c/ssl_socket.h>
#else
#include <amqp.h>
#include <amqp_tcp_socket.h>
#include <amqp_ssl_socket.h>
#endif

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <linux/sock_diag.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

/// Outcome of a synchronous AMQP call: 0 ok, < 0 a library status (amqp_status_enum),
/// > 0 a broker reply code (e.g. 404, 406, 320). A message goes into `text`.
static inline int myop_reply_status(amqp_rpc_reply_t reply, char *text, size_t text_len) {
    switch (reply.reply_type) {
    case AMQP_RESPONSE_NORMAL:
        return 0;
    case AMQP_RESPONSE_NONE:
        snprintf(text, text_len, "missing RPC reply");
        return AMQP_STATUS_UNEXPECTED_STATE;
    case AMQP_RESPONSE_LIBRARY_EXCEPTION:
        snprintf(text, text_len, "%s", amqp_error_string2(reply.library_error));
        return reply.library_error < 0 ? reply.library_error : AMQP_STATUS_UNEXPECTED_STATE;
    case AMQP_RESPONSE_SERVER_EXCEPTION:
        if (reply.reply.id == AMQP_CONNECTION_CLOSE_METHOD) {
            amqp_connection_close_t *m = (amqp_connection_close_t *)reply.reply.decoded;
            snprintf(text, text_len, "connection closed by broker: %.*s", (int)m->reply_text.len, (char *)m->reply_text.bytes);
            return m->reply_code;
        }
        if (reply.reply.id == AMQP_CHANNEL_CLOSE_METHOD) {
            amqp_channel_close_t *m = (amqp_channel_close_t *)reply.reply.decoded;
            snprintf(text, text_len, "channel closed by broker: %.*s", (int)m->reply_text.len, (char *)m->reply_text.bytes);
            return m->reply_code;
        }
        snprintf(text, text_len, "unexpected broker method 0x%08X", reply.reply.id);
        return AMQP_STATUS_UNEXPECTED_STATE;
    }
    return AMQP_STATUS_UNEXPECTED_STATE;
}

static inline int myop_last_reply(amqp_connection_state_t c, char *text, size_t text_len) {
    return myop_reply_status(amqp_get_rpc_reply(c), text, text_len);
}

/// amqp_login_with_properties is variadic; this also names the connection (shown in the broker's UI) and asks for
/// two notices the broker sends only to clients that list them among their capabilities (rabbitmq-c merges these
/// with its own): basic.cancel when the broker drops a consumer (its queue deleted), which would otherwise stop
/// consuming in silence, and connection.blocked / unblocked around a memory or disk alarm, so that publishing stops
/// before a write blocks the connection's thread.
static inline int myop_login(amqp_connection_state_t c, const char *vhost, int frame_max, int heartbeat,
                             const char *user, const char *password, const char *connection_name,
                             char *text, size_t text_len) {
    amqp_table_entry_t capabilities[2];
    capabilities[0].key = amqp_cstring_bytes("consumer_cancel_notify");
    capabilities[0].value.kind = AMQP_FIELD_KIND_BOOLEAN;
    capabilities[0].value.value.boolean = 1;
    capabilities[1].key = amqp_cstring_bytes("connection.blocked");
    capabilities[1].value.kind = AMQP_FIELD_KIND_BOOLEAN;
    capabilities[1].value.value.boolean = 1;
    amqp_table_entry_t entries[2];
    entries[0].key = amqp_cstring_bytes("connection_name");
    entries[0].value.kind = AMQP_FIELD_KIND_UTF8;
    entries[0].value.value.bytes = amqp_cstring_bytes(connection_name);
    entries[1].key = amqp_cstring_bytes("capabilities");
    entries[1].value.kind = AMQP_FIELD_KIND_TABLE;
    entries[1].value.value.table.num_entries = 2;
    entries[1].value.value.table.entries = capabilities;
    amqp_table_t properties;
    properties.num_entries = 2;
    properties.entries = entries;
    amqp_rpc_reply_t reply = amqp_login_with_properties(c, vhost, 0, frame_max, heartbeat, &properties,
                                                        AMQP_SASL_METHOD_PLAIN, user, password);
    return myop_reply_status(reply, text, text_len);
}

static inline int myop_channel_open(amqp_connection_state_t c, amqp_channel_t channel, char *text, size_t text_len) {
    amqp_channel_open(c, channel);
    return myop_last_reply(c, text, text_len);
}

static inline int myop_exchange_declare(amqp_connection_state_t c, amqp_channel_t channel, const char *name,
                                        const char *type, char *text, size_t text_len) {
    amqp_exchange_declare(c, channel, amqp_cstring_bytes(name), amqp_cstring_bytes(type), 0, 1, 0, 0, amqp_empty_table);
    return myop_last_reply(c, text, text_len);
}

/// A durable queue; quorum with a delivery limit when `quorum` is set, dead-lettered when `dlx` is not NULL.
static inline int myop_queue_declare(amqp_connection_state_t c, amqp_channel_t channel, const char *name, int quorum,
                                     int delivery_limit, const char *dlx, const char *dl_routing_key, int64_t expires_ms,
                                     char *text, size_t text_len) {
    amqp_table_entry_t entries[5];
    int n = 0;
    if (expires_ms > 0) {
        entries[n].key = amqp_cstring_bytes("x-expires");
        entries[n].value.kind = AMQP_FIELD_KIND_I64;
        entries[n].value.value.i64 = expires_ms;
        n++;
    }
    if (quorum) {
        entries[n].key = amqp_cstring_bytes("x-queue-type");
        entries[n].value.kind = AMQP_FIELD_KIND_UTF8;
        entries[n].value.value.bytes = amqp_cstring_bytes("quorum");
        n++;
        if (delivery_limit > 0) {
            entries[n].key = amqp_cstring_bytes("x-delivery-limit");
            entries[n].value.kind = AMQP_FIELD_KIND_I64;
            entries[n].value.value.i64 = delivery_limit;
            n++;
        }
    }
    if (dlx != NULL) {
        entries[n].key = amqp_cstring_bytes("x-dead-letter-exchange");
        entries[n].value.kind = AMQP_FIELD_KIND_UTF8;
        entries[n].value.value.bytes = amqp_cstring_bytes(dlx);
        n++;
        entries[n].key = amqp_cstring_bytes("x-dead-letter-routing-key");
        entries[n].value.kind = AMQP_FIELD_KIND_UTF8;
        entries[n].value.value.bytes = amqp_cstring_bytes(dl_routing_key);
        n++;
    }
    amqp_table_t arguments;
    arguments.num_entries = n;
    arguments.entries = entries;
    amqp_queue_declare(c, channel, amqp_cstring_bytes(name), 0, 1, 0, 0, arguments);
    return myop_last_reply(c, text, text_len);
}

static inline int myop_queue_bind(amqp_connection_state_t c, amqp_channel_t channel, const char *queue,
                                  const char *exchange, const char *routing_key, char *text, size_t text_len) {
    amqp_queue_bind(c, channel, amqp_cstring_bytes(queue), amqp_cstring_bytes(exchange), amqp_cstring_bytes(routing_key),
                    amqp_empty_table);
    return myop_last_reply(c, text, text_len);
}

static inline int myop_queue_unbind(amqp_connection_state_t c, amqp_channel_t channel, const char *queue,
                                    const char *exchange, const char *routing_key, char *text, size_t text_len) {
    amqp_queue_unbind(c, channel, amqp_cstring_bytes(queue), amqp_cstring_bytes(exchange), amqp_cstring_bytes(routing_key),
                      amqp_empty_table);
    return myop_last_reply(c, text, text_len);
}

static inline int myop_queue_purge(amqp_connection_state_t c, amqp_channel_t channel, const char *queue,
                                   char *text, size_t text_len) {
    amqp_queue_purge(c, channel, amqp_cstring_bytes(queue));
    return myop_last_reply(c, text, text_len);
}

/// Message and consumer counts of a queue, on a short-lived channel of its own so that a missing queue
/// (404, which closes the channel) does not disturb the others. Returns 0, 404, or another failure.
static inline int myop_queue_inspect(amqp_connection_state_t c, amqp_channel_t channel, const char *name,
                                     uint32_t *messages, uint32_t *consumers, char *text, size_t text_len) {
    int status = myop_channel_open(c, channel, text, text_len);
    if (status != 0) return status;
    amqp_queue_declare_ok_t *ok = amqp_queue_declare(c, channel, amqp_cstring_bytes(name), 1, 0, 0, 0, amqp_empty_table);
    amqp_rpc_reply_t reply = amqp_get_rpc_reply(c);
    status = myop_reply_status(reply, text, text_len);
    if (status == 0 && ok != NULL) {
        *messages = ok->message_count;
        *consumers = ok->consumer_count;
        amqp_channel_close(c, channel, AMQP_REPLY_SUCCESS);
        return myop_last_reply(c, text, text_len);
    }
    if (reply.reply_type == AMQP_RESPONSE_SERVER_EXCEPTION && reply.reply.id == AMQP_CHANNEL_CLOSE_METHOD) {
        amqp_channel_close_ok_t close_ok;
        close_ok.dummy = 0;
        amqp_send_method(c, channel, AMQP_CHANNEL_CLOSE_OK_METHOD, &close_ok);
    }
    return status;
}

static inline int myop_confirm_select(amqp_connection_state_t c, amqp_channel_t channel, char *text, size_t text_len) {
    amqp_confirm_select(c, channel);
    return myop_last_reply(c, text, text_len);
}

static inline int myop_basic_qos(amqp_connection_state_t c, amqp_channel_t channel, uint16_t prefetch,
                                 char *text, size_t text_len) {
    amqp_basic_qos(c, channel, 0, prefetch, 0);
    return myop_last_reply(c, text, text_len);
}

static inline int myop_basic_consume(amqp_connection_state_t c, amqp_channel_t channel, const char *queue,
                                     const char *consumer_tag, char *text, size_t text_len) {
    amqp_basic_consume(c, channel, amqp_cstring_bytes(queue), amqp_cstring_bytes(consumer_tag), 0, 0, 0, amqp_empty_table);
    return myop_last_reply(c, text, text_len);
}

static inline int myop_basic_cancel(amqp_connection_state_t c, amqp_channel_t channel, const char *consumer_tag,
                                    char *text, size_t text_len) {
    amqp_basic_cancel(c, channel, amqp_cstring_bytes(consumer_tag));
    return myop_last_reply(c, text, text_len);
}

/// A persistent JSON message with the envelope's properties. `correlation_id` and `traceparent` may be NULL.
static inline int myop_publish(amqp_connection_state_t c, amqp_channel_t channel, const char *exchange,
                               const char *routing_key, const char *message_id, const char *type,
                               const char *correlation_id, const char *traceparent, uint64_t timestamp,
                               const void *body, size_t body_len) {
    amqp_basic_properties_t p;
    memset(&p, 0, sizeof p);
    p._flags = AMQP_BASIC_CONTENT_TYPE_FLAG | AMQP_BASIC_DELIVERY_MODE_FLAG | AMQP_BASIC_MESSAGE_ID_FLAG |
               AMQP_BASIC_TYPE_FLAG | AMQP_BASIC_TIMESTAMP_FLAG;
    p.content_type = amqp_cstring_bytes("application/json");
    p.delivery_mode = AMQP_DELIVERY_PERSISTENT;
    p.message_id = amqp_cstring_bytes(message_id);
    p.type = amqp_cstring_bytes(type);
    p.timestamp = timestamp;
    if (correlation_id != NULL) {
        p._flags |= AMQP_BASIC_CORRELATION_ID_FLAG;
        p.correlation_id = amqp_cstring_bytes(correlation_id);
    }
    amqp_table_entry_t header;
    if (traceparent != NULL) {
        header.key = amqp_cstring_bytes("traceparent");
        header.value.kind = AMQP_FIELD_KIND_UTF8;
        header.value.value.bytes = amqp_cstring_bytes(traceparent);
        p._flags |= AMQP_BASIC_HEADERS_FLAG;
        p.headers.num_entries = 1;
        p.headers.entries = &header;
    }
    amqp_bytes_t payload;
    payload.len = body_len;
    payload.bytes = (void *)body;
    return amqp_basic_publish(c, channel, amqp_cstring_bytes(exchange), amqp_cstring_bytes(routing_key), 0, 0, &p, payload);
}

static inline int myop_basic_ack(amqp_connection_state_t c, amqp_channel_t channel, uint64_t tag, int multiple) {
    return amqp_basic_ack(c, channel, tag, multiple);
}

static inline int myop_basic_nack(amqp_connection_state_t c, amqp_channel_t channel, uint64_t tag, int requeue) {
    return amqp_basic_nack(c, channel, tag, 0, requeue);
}

enum {
    MYOP_FRAME_NONE = 0,          // timeout, heartbeat or a frame we ignore
    MYOP_FRAME_DELIVER = 1,       // basic.deliver: read the content next with myop_read_message
    MYOP_FRAME_CONFIRM_ACK = 2,   // publisher confirm
    MYOP_FRAME_CONFIRM_NACK = 3,  // publisher negative confirm
    MYOP_FRAME_CLOSED = 4,        // the broker closed a channel or the connection: reconnect
    MYOP_FRAME_CANCELLED = 5,     // the broker cancelled a consumer (queue deleted)
    MYOP_FRAME_BLOCKED = 6,       // connection.blocked: the broker stopped reading publishes (memory or disk alarm)
    MYOP_FRAME_UNBLOCKED = 7,     // connection.unblocked: the alarm cleared
};

typedef struct {
    int kind;
    amqp_channel_t channel;
    uint64_t delivery_tag;
    int multiple;
    int redelivered;
    int reply_code;
    char routing_key[256];
} myop_frame_t;

/// Waits up to `timeout_us` for one frame and classifies it. Returns 0 or a negative library status.
static inline int myop_next_frame(amqp_connection_state_t c, long timeout_us, myop_frame_t *out) {
    amqp_frame_t frame;
    struct timeval tv;
    tv.tv_sec = timeout_us / 1000000;
    tv.tv_usec = timeout_us % 1000000;
    memset(out, 0, sizeof *out);
    int status = amqp_simple_wait_frame_noblock(c, &frame, &tv);
    if (status == AMQP_STATUS_TIMEOUT) return 0;
    if (status != AMQP_STATUS_OK) return status;
    out->channel = frame.channel;
    if (frame.frame_type != AMQP_FRAME_METHOD) return 0;
    switch (frame.payload.method.id) {
    case AMQP_BASIC_DELIVER_METHOD: {
        amqp_basic_deliver_t *m = (amqp_basic_deliver_t *)frame.payload.method.decoded;
        out->kind = MYOP_FRAME_DELIVER;
        out->delivery_tag = m->delivery_tag;
        out->redelivered = m->redelivered;
        size_t n = m->routing_key.len < sizeof out->routing_key - 1 ? m->routing_key.len : sizeof out->routing_key - 1;
        memcpy(out->routing_key, m->routing_key.bytes, n);
        out->routing_key[n] = 0;
        return 0;
    }
    case AMQP_BASIC_ACK_METHOD: {
        amqp_basic_ack_t *m = (amqp_basic_ack_t *)frame.payload.method.decoded;
        out->kind = MYOP_FRAME_CONFIRM_ACK;
        out->delivery_tag = m->delivery_tag;
        out->multiple = m->multiple;
        return 0;
    }
    case AMQP_BASIC_NACK_METHOD: {
        amqp_basic_nack_t *m = (amqp_basic_nack_t *)frame.payload.method.decoded;
        out->kind = MYOP_FRAME_CONFIRM_NACK;
        out->delivery_tag = m->delivery_tag;
        out->multiple = m->multiple;
        return 0;
    }
    case AMQP_BASIC_CANCEL_METHOD:
        out->kind = MYOP_FRAME_CANCELLED;
        return 0;
    case AMQP_CONNECTION_BLOCKED_METHOD:
        out->kind = MYOP_FRAME_BLOCKED;
        return 0;
    case AMQP_CONNECTION_UNBLOCKED_METHOD:
        out->kind = MYOP_FRAME_UNBLOCKED;
        return 0;
    case AMQP_CHANNEL_CLOSE_METHOD: {
        amqp_channel_close_t *m = (amqp_channel_close_t *)frame.payload.method.decoded;
        out->kind = MYOP_FRAME_CLOSED;
        out->reply_code = m->reply_code;
        return 0;
    }
    case AMQP_CONNECTION_CLOSE_METHOD: {
        amqp_connection_close_t *m = (amqp_connection_close_t *)frame.payload.method.decoded;
        out->kind = MYOP_FRAME_CLOSED;
        out->reply_code = m->reply_code;
        return 0;
    }
    default:
        return 0;
    }
}

/// Reads the header and body frames that follow a basic.deliver. 0 or a negative library status.
static inline int myop_read_message(amqp_connection_state_t c, amqp_channel_t channel, amqp_message_t *message) {
    amqp_rpc_reply_t reply = amqp_read_message(c, channel, message, 0);
    if (reply.reply_type == AMQP_RESPONSE_NORMAL) return 0;
    if (reply.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION && reply.library_error < 0) return reply.library_error;
    return AMQP_STATUS_UNEXPECTED_STATE;
}

/// Looks up an integer header (x-delivery-count). Returns 1 when found.
static inline int myop_header_int(const amqp_basic_properties_t *p, const char *key, int64_t *value) {
    if (!(p->_flags & AMQP_BASIC_HEADERS_FLAG)) return 0;
    size_t key_len = strlen(key);
    for (int i = 0; i < p->headers.num_entries; i++) {
        const amqp_table_entry_t *e = &p->headers.entries[i];
        if (e->key.len != key_len || memcmp(e->key.bytes, key, key_len) != 0) continue;
        switch (e->value.kind) {
        case AMQP_FIELD_KIND_I8: *value = e->value.value.i8; return 1;
        case AMQP_FIELD_KIND_U8: *value = e->value.value.u8; return 1;
        case AMQP_FIELD_KIND_I16: *value = e->value.value.i16; return 1;
        case AMQP_FIELD_KIND_U16: *value = e->value.value.u16; return 1;
        case AMQP_FIELD_KIND_I32: *value = e->value.value.i32; return 1;
        case AMQP_FIELD_KIND_U32: *value = e->value.value.u32; return 1;
        case AMQP_FIELD_KIND_I64: *value = e->value.value.i64; return 1;
        case AMQP_FIELD_KIND_U64: *value = (int64_t)e->value.value.u64; return 1;
        default: return 0;
        }
    }
    return 0;
}

/// Looks up a string header (traceparent). Returns its bytes, or len 0.
static inline amqp_bytes_t myop_header_string(const amqp_basic_properties_t *p, const char *key) {
    amqp_bytes_t none;
    none.len = 0;
    none.bytes = NULL;
    if (!(p->_flags & AMQP_BASIC_HEADERS_FLAG)) return none;
    size_t key_len = strlen(key);
    for (int i = 0; i < p->headers.num_entries; i++) {
        const amqp_table_entry_t *e = &p->headers.entries[i];
        if (e->key.len == key_len && memcmp(e->key.bytes, key, key_len) == 0 &&
            (e->value.kind == AMQP_FIELD_KIND_UTF8 || e->value.kind == AMQP_FIELD_KIND_BYTES))
            return e->value.value.bytes;
    }
    return none;
}

static inline amqp_bytes_t myop_property_message_id(const amqp_basic_properties_t *p) {
    amqp_bytes_t none = {0, NULL};
    return (p->_flags & AMQP_BASIC_MESSAGE_ID_FLAG) ? p->message_id : none;
}

static inline amqp_bytes_t myop_property_type(const amqp_basic_properties_t *p) {
    amqp_bytes_t none = {0, NULL};
    return (p->_flags & AMQP_BASIC_TYPE_FLAG) ? p->type : none;
}

/// Waits until the socket (if >= 0) or the wake-up eventfd is readable, at most `timeout_us` microseconds (< 0:
/// no limit). Bit 1: socket, bit 2: wake-up; 0 on timeout. Through the ppoll system call, because poll counts in
/// whole milliseconds and the I/O thread's deadlines are finer; glibc declares ppoll only under _GNU_SOURCE.
static inline int myop_wait_readable(int socket_fd, int wake_fd, long timeout_us) {
    struct pollfd fds[2];
    int n = 0;
    if (socket_fd >= 0) {
        fds[n].fd = socket_fd;
        fds[n].events = POLLIN;
        fds[n].revents = 0;
        n++;
    }
    fds[n].fd = wake_fd;
    fds[n].events = POLLIN;
    fds[n].revents = 0;
    n++;
    struct timespec timeout = {timeout_us / 1000000, (timeout_us % 1000000) * 1000};
    if (syscall(SYS_ppoll, fds, (unsigned long)n, timeout_us < 0 ? NULL : &timeout, NULL, 0) <= 0) return 0;
    int result = 0;
    if (socket_fd >= 0 && (fds[0].revents & (POLLIN | POLLERR | POLLHUP))) result |= 1;
    if (fds[n - 1].revents & POLLIN) result |= 2;
    return result;
}

/// How much can still be written to the socket before a write would block: the send buffer's limit less what is
/// charged against it (`SO_MEMINFO`: the kernel counts each buffer's bookkeeping too, so this is exact where
/// SIOCOUTQ's byte count is not). `queued` is set as well. Returns 0, or -1 if the socket cannot say.
///
/// When the room is short this also polls once for POLLOUT: a socket found full that way is marked as such, and the
/// kernel then grows its send buffer on the next acknowledgement, as it would for a writer that blocked. Without it,
/// a writer that never fills the buffer keeps the small buffer it started with (tens of KB over a real network).
static inline int myop_socket_room(int fd, long wanted, long *room, long *queued) {
    uint32_t info[SK_MEMINFO_VARS];
    memset(info, 0, sizeof info);
    socklen_t length = sizeof info;
    if (getsockopt(fd, SOL_SOCKET, SO_MEMINFO, info, &length) != 0 || length < sizeof(uint32_t) * (SK_MEMINFO_WMEM_QUEUED + 1)) return -1;
    *queued = (long)info[SK_MEMINFO_WMEM_QUEUED];
    *room = (long)info[SK_MEMINFO_SNDBUF] - (long)info[SK_MEMINFO_WMEM_QUEUED];
    if (*room < wanted) {
        struct pollfd out = {fd, POLLOUT, 0};
        (void)poll(&out, 1, 0);
    }
    return 0;
}

static inline int myop_eventfd(void) { return eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC); }

static inline void myop_eventfd_signal(int fd) {
    uint64_t one = 1;
    ssize_t ignored = write(fd, &one, sizeof one);
    (void)ignored;
}

static inline void myop_eventfd_drain(int fd) {
    uint64_t value;
    ssize_t ignored = read(fd, &value, sizeof value);
    (void)ignored;
}

#endif
