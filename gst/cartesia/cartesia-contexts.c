/* gst-cartesia: transport layer, the contexts in flight on one connection.
 * Copyright (C) 2026 gst-cartesia developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2 of the License, or (at your option) any later version.
 *
 * Which element (event queue) each context belongs to, the outbox of
 * requests waiting for a socket, what to send again when a socket went
 * away or the server refused a context, and where every event goes.  Runs
 * on the connection's thread only (cartesia-connection.c calls it there);
 * the backend (cartesia-backend.h) puts requests on the wire and reports
 * back through the CartesiaBackendEvents below.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "cartesia-contexts.h"
#include "cartesia-message.h"

#include <gst/gst.h>
#include "cartesia-request.h"

GST_DEBUG_CATEGORY_STATIC (cartesia_contexts_debug);
#define GST_CAT_DEFAULT cartesia_contexts_debug

/* Once per process, whichever thread comes first. */
static void
init_debug (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done)) {
    GST_DEBUG_CATEGORY_INIT (cartesia_contexts_debug, "cartesiasession", 0,
        "Cartesia transport (libsoup)");
    g_once_init_leave (&done, 1);
  }
}

/* How long a clean close may wait for the server's close frame. */
#define CLOSE_WAIT_MS 1000

struct _CartesiaContexts
{
  CartesiaBackend *backend;
  CartesiaRetryPolicy policy;
  GRand *rand;                  /* the backoff's jitter; the connection's */
  GMainLoop *loop;              /* quit when shutting down is over */
  GCancellable *cancellable;    /* the connection's */
  GQueue outbox;                /* PendingInputs waiting for the socket */
  GHashTable *contexts;         /* id -> ContextState, contexts expecting output */
  GHashTable *wire_ids;         /* retried context's wire id -> its own id */
  CartesiaEvent *refusal;       /* how the server refused the pre-connect */
  GList *queues;                /* CartesiaEventQueues attached */
};

/* A request waiting for the socket. */
typedef struct
{
  CartesiaEventQueue *queue;    /* whose */
  gchar *context_id;
  CartesiaRequestInput *input;
} PendingInput;

/* What a context needs to be sent again on a new connection. */
typedef struct
{
  CartesiaContexts *contexts;
  CartesiaEventQueue *owner;    /* the queue whose context it is */
  GPtrArray *inputs;            /* CartesiaRequestInputs sent so far, in order */
  gboolean got_output;          /* the server sent something for it */
  guint resends;
  gchar *wire_id;               /* id on the wire after a retry, else NULL */
  GSource *retry_source;        /* a retry waiting for its backoff */
} ContextState;

static void
context_state_free (gpointer data)
{
  ContextState *state = data;

  cartesia_backend_unschedule (&state->retry_source);
  if (state->wire_id)
    g_hash_table_remove (state->contexts->wire_ids, state->wire_id);
  g_free (state->wire_id);
  g_ptr_array_unref (state->inputs);
  g_free (state);
}

static void
pending_input_free (gpointer data)
{
  PendingInput *input = data;

  g_free (input->context_id);
  cartesia_request_input_free (input->input);
  g_free (input);
}

/* ---- events to the queues ---- */

/* What happens to the connection itself counts for every element using it. */
static void
count_all (CartesiaContexts * s, guint connections, guint retries)
{
  GList *l;

  for (l = s->queues; l; l = l->next)
    cartesia_event_queue_count (l->data, connections, retries, 0);
}

/* The queue a context belongs to, or NULL. */
static CartesiaEventQueue *
owner_of (CartesiaContexts * s, const gchar * context_id)
{
  ContextState *state;

  if (context_id == NULL)
    return NULL;
  state = g_hash_table_lookup (s->contexts, context_id);
  return state ? state->owner : NULL;
}

/* Delivers @event to @owner; one that names no context concerns every
 * element on the connection; one whose owner is gone is dropped. */
static void
route_event (CartesiaContexts * s, CartesiaEventQueue * owner,
    CartesiaEvent * event)
{
  GList *l;

  if (owner) {
    cartesia_event_queue_push (owner, event);
    return;
  }
  if (event->context_id == NULL) {
    for (l = s->queues; l; l = l->next)
      cartesia_event_queue_push (l->data,
          l->next ? cartesia_event_copy (event) : event);
    if (s->queues)
      return;
  }
  GST_DEBUG ("dropping an event nobody waits for (context %s)",
      GST_STR_NULL (event->context_id));
  cartesia_event_free (event);
}

/* Tells the element that @context_id's request is with the server now, so
 * that its silence may be timed from here. */
static void
push_sent (CartesiaContexts * s, CartesiaEventQueue * owner,
    const gchar * context_id)
{
  route_event (s, owner, cartesia_event_new (CARTESIA_EVENT_SENT, context_id,
          g_get_monotonic_time ()));
}

/* Hands @event (an ERROR, taken) to @owner, with the request id of its
 * context when it has none. */
static void
deliver_error (CartesiaContexts * s, CartesiaEventQueue * owner,
    CartesiaEvent * event)
{
  if (event->request_id == NULL)
    event->request_id = g_strdup (s->backend->klass->request_id (s->backend,
            event->context_id));
  GST_WARNING ("context %s: %s (%s; request id %s)",
      GST_STR_NULL (event->context_id), event->error_text,
      GST_STR_NULL (event->error_debug), GST_STR_NULL (event->request_id));
  route_event (s, owner, event);
}

static void
push_error (CartesiaContexts * s, CartesiaEventQueue * owner,
    const gchar * context_id, CartesiaErrorKind kind, guint http_status,
    gchar * text, gchar * debug)
{
  deliver_error (s, owner, cartesia_event_new_error (context_id,
          g_get_monotonic_time (), kind, http_status, text, debug));
}

/* Fails every context still waiting for output with a copy of @error (which
 * names none), e.g. when the socket is gone. */
static void
fail_all_contexts (CartesiaContexts * s, const CartesiaEvent * error)
{
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, s->contexts);
  while (g_hash_table_iter_next (&iter, &key, &value)) {
    CartesiaEvent *event = cartesia_event_copy (error);

    event->context_id = g_strdup (key);
    g_clear_pointer (&event->request_id, g_free);
    deliver_error (s, ((ContextState *) value)->owner, event);
  }
  g_hash_table_remove_all (s->contexts);
  g_queue_clear_full (&s->outbox, pending_input_free);
}

/* Puts @input of @context_id on the wire: under the id the context has
 * there (another after a retry); without one when each request is a
 * context of its own (SSE). */
static void
send_input (CartesiaContexts * s, const gchar * context_id,
    const CartesiaRequestInput * input)
{
  CartesiaBackend *b = s->backend;
  ContextState *state = g_hash_table_lookup (s->contexts, context_id);
  const gchar *wire_id = state && state->wire_id ? state->wire_id :
      context_id;
  g_autofree gchar *json = cartesia_request_input_build (input,
      b->klass->continues_contexts ? wire_id : NULL);

  b->klass->send (b, context_id, json);
}

/* ---- contexts sent again ---- */

static void send_inputs (CartesiaContexts * s, const gchar * context_id,
    ContextState * state);

static gboolean
on_context_retry (gpointer user_data)
{
  ContextState *state = user_data;
  const gchar *context_id = g_hash_table_lookup (state->contexts->wire_ids,
      state->wire_id);

  g_clear_pointer (&state->retry_source, g_source_unref);
  send_inputs (state->contexts, context_id, state);
  return G_SOURCE_REMOVE;
}

/* A context the server refused with 429 or 5xx before any output lost
 * nothing: ask again after a backoff, under a new id (the server considers
 * the old one finished); an SSE backend retries its request itself. */
static gboolean
maybe_retry_context (CartesiaContexts * s, const gchar * context_id,
    guint status, const gchar * why)
{
  ContextState *state = g_hash_table_lookup (s->contexts, context_id);
  guint delay;

  if (state == NULL || state->got_output || !(status == 429 || status >= 500))
    return FALSE;
  if (!s->backend->klass->continues_contexts)
    return s->backend->klass->retry_refused (s->backend, context_id, status);
  if (!cartesia_policy_should_retry (&s->policy, state->resends + 1, status,
          NULL))
    return FALSE;

  state->resends++;
  if (state->wire_id)
    g_hash_table_remove (s->wire_ids, state->wire_id);
  g_free (state->wire_id);
  state->wire_id = g_strdup_printf ("%s-retry%u", context_id, state->resends);
  g_hash_table_insert (s->wire_ids, g_strdup (state->wire_id),
      g_strdup (context_id));

  delay = cartesia_policy_retry_delay_ms (&s->policy, state->resends, NULL,
      s->rand);
  cartesia_event_queue_count (state->owner, 0, 1, 0);
  GST_INFO ("context %s refused (%s); retry %u in %u ms as %s", context_id,
      why, state->resends, delay, state->wire_id);
  state->retry_source = cartesia_backend_schedule (s->backend, delay,
      on_context_retry, state);
  return TRUE;
}

/* Requeues the inputs of @context_id for the next connection. */
static void
resend_context (CartesiaContexts * s, const gchar * context_id,
    ContextState * state)
{
  guint i;

  for (i = 0; i < state->inputs->len; i++) {
    PendingInput *op = g_new0 (PendingInput, 1);

    op->queue = state->owner;
    op->context_id = g_strdup (context_id);
    op->input = cartesia_request_input_copy (g_ptr_array_index (state->inputs,
            i));
    g_queue_push_tail (&s->outbox, op);
  }
}

/* Sends every input of a context again: now if the socket is open, else
 * when it is. */
static void
send_inputs (CartesiaContexts * s, const gchar * context_id,
    ContextState * state)
{
  CartesiaBackend *b = s->backend;
  guint i;

  if (!b->klass->is_open (b)) {
    resend_context (s, context_id, state);
    b->klass->connect (b);
    return;
  }
  for (i = 0; i < state->inputs->len; i++)
    send_input (s, context_id, state->inputs->pdata[i]);
  push_sent (s, state->owner, context_id);
}

static gboolean
in_outbox (CartesiaContexts * s, const gchar * context_id)
{
  GList *l;

  for (l = s->outbox.head; l; l = l->next)
    if (g_strcmp0 (((PendingInput *) l->data)->context_id, context_id) == 0)
      return TRUE;
  return FALSE;
}

/* The socket went away.  A context the server had not answered yet lost
 * nothing the user heard: send it again on a new connection (as often as
 * @retries allows).  One whose audio had started cannot be resumed. */
static void
recover_contexts (CartesiaContexts * s, const gchar * debug)
{
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, s->contexts);
  while (g_hash_table_iter_next (&iter, &key, &value)) {
    ContextState *state = value;

    if (in_outbox (s, key))
      continue;
    if (!state->got_output && cartesia_policy_attempts_left (&s->policy,
            state->resends + 1)) {
      GST_INFO ("context %s had no answer yet: sending it again",
          (gchar *) key);
      state->resends++;
      cartesia_event_queue_count (state->owner, 0, 1, 0);
      resend_context (s, key, state);
      continue;
    }
    push_error (s, state->owner, key, CARTESIA_ERROR_READ, 0,
        g_strdup (state->got_output ?
            "The connection to the server was lost in the middle of an "
            "utterance" : "The connection to the server was lost before the "
            "utterance started, too often"), g_strdup (debug));
    g_hash_table_iter_remove (&iter);
  }
}

/* ---- incoming messages ---- */

/* An error the server sent (@event, taken). */
static void
handle_server_error (CartesiaContexts * s, CartesiaEvent * event)
{
  const gchar *context_id = event->context_id;

  if (context_id && maybe_retry_context (s, context_id, event->http_status,
          event->error_text)) {
    cartesia_event_free (event);
  } else if (context_id) {
    g_autofree gchar *id = g_strdup (context_id);

    deliver_error (s, owner_of (s, id), event);
    g_hash_table_remove (s->contexts, id);
  } else {
    /* An error that names no context concerns all of them; each gets the
     * request id of its own request. */
    g_clear_pointer (&event->request_id, g_free);
    fail_all_contexts (s, event);
    cartesia_event_free (event);
  }
}

/* Gives a message of a retried context its own id back; FALSE for output of
 * an earlier, failed attempt, which must be dropped. */
static gboolean
map_wire_id (CartesiaContexts * s, CartesiaMessage * msg)
{
  const gchar *owner = g_hash_table_lookup (s->wire_ids, msg->context_id);
  ContextState *state;

  if (owner) {
    g_free (msg->context_id);
    msg->context_id = g_strdup (owner);
    return TRUE;
  }
  state = g_hash_table_lookup (s->contexts, msg->context_id);
  return state == NULL || state->wire_id == NULL;
}

static void
on_message (gpointer data, const gchar * text, gsize len,
    const gchar * context_id)
{
  CartesiaContexts *s = data;
  CartesiaMessage msg;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *context_over = NULL;
  CartesiaEventQueue *owner;
  CartesiaEvent *event;
  gboolean is_chunk;

  if (!cartesia_message_parse (text, len, &msg, &error)) {
    event = cartesia_event_new_error (context_id, g_get_monotonic_time (),
        CARTESIA_ERROR_DECODE, 0, g_strdup ("The server sent a message "
            "that could not be read"), g_strdup (error->message));
    if (context_id) {
      deliver_error (s, owner_of (s, context_id), event);
      g_hash_table_remove (s->contexts, context_id);
    } else {
      fail_all_contexts (s, event);
      cartesia_event_free (event);
    }
    return;
  }
  if (msg.context_id == NULL && context_id)
    msg.context_id = g_strdup (context_id);
  if (msg.context_id && !map_wire_id (s, &msg)) {
    cartesia_message_clear (&msg);
    return;
  }

  /* Late output of a cancelled or abandoned context, or of an unknown one. */
  if (msg.context_id && !g_hash_table_contains (s->contexts, msg.context_id)) {
    GST_DEBUG ("dropping a message for context %s, which is not open",
        msg.context_id);
    cartesia_message_clear (&msg);
    return;
  }

  if (msg.context_id && (msg.type == CARTESIA_MESSAGE_CHUNK
          || msg.type == CARTESIA_MESSAGE_TIMESTAMPS
          || msg.type == CARTESIA_MESSAGE_PHONEME_TIMESTAMPS)) {
    ContextState *state = g_hash_table_lookup (s->contexts, msg.context_id);

    if (state)
      state->got_output = TRUE;
  }

  if (msg.type == CARTESIA_MESSAGE_UNKNOWN
      || msg.type == CARTESIA_MESSAGE_FLUSH_DONE)
    GST_LOG ("ignoring a message of a type this client does not use");
  is_chunk = msg.type == CARTESIA_MESSAGE_CHUNK;
  event = cartesia_event_from_message (&msg, g_get_monotonic_time ());
  cartesia_message_clear (&msg);
  if (event == NULL)
    return;
  owner = owner_of (s, event->context_id);
  switch (event->type) {
    case CARTESIA_EVENT_AUDIO:
      cartesia_event_queue_count (owner, 0, 0,
          g_bytes_get_size (event->audio));
      route_event (s, owner, event);
      break;
    case CARTESIA_EVENT_DONE:
      if (event->context_id == NULL) {
        cartesia_event_free (event);
        break;
      }
      context_over = g_strdup (event->context_id);
      route_event (s, owner, event);
      break;
    case CARTESIA_EVENT_ERROR:
      if (!is_chunk) {
        handle_server_error (s, event);
        break;
      }
      /* Audio that is not base64: the context cannot go on. */
      context_over = g_strdup (event->context_id);
      deliver_error (s, owner, event);
      break;
    default:
      route_event (s, owner, event);
      break;
  }
  if (context_over)
    g_hash_table_remove (s->contexts, context_over);
}

/* ---- what the backend reports ---- */

static void
on_sent (gpointer data, const gchar * context_id)
{
  CartesiaContexts *s = data;

  push_sent (s, owner_of (s, context_id), context_id);
}

static void
on_count (gpointer data, const gchar * context_id, guint connections,
    guint retries)
{
  CartesiaContexts *s = data;

  if (context_id == NULL)
    count_all (s, connections, retries);
  else
    cartesia_event_queue_count (owner_of (s, context_id), connections,
        retries, 0);
}

static gboolean
on_context_open (gpointer data, const gchar * context_id,
    gboolean * got_output)
{
  CartesiaContexts *s = data;
  ContextState *state = g_hash_table_lookup (s->contexts, context_id);

  if (got_output)
    *got_output = state && state->got_output;
  return state != NULL;
}

static void
on_context_failed (gpointer data, CartesiaEvent * error)
{
  CartesiaContexts *s = data;
  g_autofree gchar *id = g_strdup (error->context_id);

  deliver_error (s, owner_of (s, id), error);
  g_hash_table_remove (s->contexts, id);
}

static void
on_all_failed (gpointer data, CartesiaEvent * error)
{
  fail_all_contexts (data, error);
  cartesia_event_free (error);
}

static void
on_connected (gpointer data)
{
  CartesiaContexts *s = data;
  PendingInput *op;

  /* A refusal remembered from an earlier attempt (another element's
   * pre-connect, on a shared connection) is out of date now. */
  g_clear_pointer (&s->refusal, cartesia_event_free);
  count_all (s, 1, 0);
  while ((op = g_queue_pop_head (&s->outbox))) {
    send_input (s, op->context_id, op->input);
    push_sent (s, op->queue, op->context_id);
    pending_input_free (op);
  }
}

static void
on_refused (gpointer data, CartesiaEvent * error)
{
  CartesiaContexts *s = data;

  if (g_hash_table_size (s->contexts) > 0) {
    fail_all_contexts (s, error);
    cartesia_event_free (error);
    return;
  }
  /* The pre-connect: nobody waits, so report it; and remember a refusal
   * that asking again would only repeat. */
  if (error->error_kind != CARTESIA_ERROR_OPEN
      && error->error_kind != CARTESIA_ERROR_READ) {
    cartesia_event_free (s->refusal);
    s->refusal = cartesia_event_copy (error);
  }
  deliver_error (s, NULL, error);
}

static gboolean
on_closed (gpointer data, const gchar * debug)
{
  CartesiaContexts *s = data;

  /* Contexts whose requests never left the outbox lost nothing: reconnect
   * for them; the others lost their output. */
  recover_contexts (s, debug);
  return !g_queue_is_empty (&s->outbox);
}

static void
on_stopped (gpointer data)
{
  CartesiaContexts *s = data;

  g_main_loop_quit (s->loop);
}

static const CartesiaBackendEvents backend_events = {
  .message = on_message,
  .sent = on_sent,
  .count = on_count,
  .context_open = on_context_open,
  .context_failed = on_context_failed,
  .all_failed = on_all_failed,
  .connected = on_connected,
  .refused = on_refused,
  .closed = on_closed,
  .stopped = on_stopped,
};

/* ---- operations posted from other threads ---- */

void
cartesia_contexts_send (CartesiaContexts * s, CartesiaEventQueue * queue,
    const gchar * context_id, CartesiaRequestInput * request)
{
  CartesiaBackend *b = s->backend;
  ContextState *state = g_hash_table_lookup (s->contexts, context_id);
  PendingInput *input;

  /* The server's answer to the last attempt, unless another attempt (on a
   * shared connection, another element's) is under way: that one decides. */
  if (s->refusal && b->klass->is_idle (b)) {
    CartesiaEvent *r = g_steal_pointer (&s->refusal);

    push_error (s, queue, context_id, r->error_kind, r->http_status,
        g_steal_pointer (&r->error_text), g_steal_pointer (&r->error_debug));
    cartesia_event_free (r);
    cartesia_request_input_free (request);
    return;
  }

  if (state == NULL) {
    state = g_new0 (ContextState, 1);
    state->contexts = s;
    state->owner = queue;
    state->inputs = g_ptr_array_new_with_free_func ((GDestroyNotify)
        cartesia_request_input_free);
    g_hash_table_insert (s->contexts, g_strdup (context_id), state);
  }
  if (!b->klass->continues_contexts) {
    send_input (s, context_id, request);
    cartesia_request_input_free (request);
    return;
  }
  if (state->retry_source) {
    /* A retry waits for its backoff: it sends every input, this one too. */
    g_ptr_array_add (state->inputs, request);
    return;
  }
  if (b->klass->is_open (b)) {
    send_input (s, context_id, request);
    g_ptr_array_add (state->inputs, request);
    push_sent (s, queue, context_id);
    return;
  }
  g_ptr_array_add (state->inputs, cartesia_request_input_copy (request));
  input = g_new0 (PendingInput, 1);
  input->queue = queue;
  input->context_id = g_strdup (context_id);
  input->input = request;
  g_queue_push_tail (&s->outbox, input);
  b->klass->connect (b);
}

void
cartesia_contexts_cancel (CartesiaContexts * s, const gchar * context_id)
{
  ContextState *state = g_hash_table_lookup (s->contexts, context_id);
  g_autofree gchar *wire_id = NULL;
  GList *l, *next;

  if (state == NULL)
    return;
  wire_id = g_strdup (state->wire_id ? state->wire_id : context_id);
  g_hash_table_remove (s->contexts, context_id);
  /* Inputs still waiting for the socket never reach the server at all. */
  for (l = s->outbox.head; l; l = next) {
    PendingInput *op = l->data;

    next = l->next;
    if (g_strcmp0 (op->context_id, context_id) == 0) {
      g_queue_delete_link (&s->outbox, l);
      pending_input_free (op);
    }
  }
  s->backend->klass->cancel (s->backend, context_id, wire_id);
}

void
cartesia_contexts_attach (CartesiaContexts * s, CartesiaEventQueue * q)
{
  s->queues = g_list_append (s->queues, q);
  /* The socket it joins is one it uses: count it as its own. */
  if (s->backend->klass->is_open (s->backend))
    cartesia_event_queue_count (q, 1, 0, 0);
}

/* Lets go of @q: its open contexts are cancelled on the server, whatever it
 * still had queued is dropped, and nothing refers to it afterwards, so that
 * it may be freed. */
void
cartesia_contexts_detach (CartesiaContexts * s, CartesiaEventQueue * q)
{
  GHashTableIter iter;
  gpointer key, value;
  GPtrArray *mine = g_ptr_array_new_with_free_func (g_free);
  GList *l, *next;
  guint i;

  g_hash_table_iter_init (&iter, s->contexts);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (((ContextState *) value)->owner == q)
      g_ptr_array_add (mine, g_strdup (key));
  for (i = 0; i < mine->len; i++) {
    GST_DEBUG ("cancelling context %s of a handle that leaves",
        (gchar *) mine->pdata[i]);
    cartesia_contexts_cancel (s, mine->pdata[i]);
  }
  g_ptr_array_unref (mine);

  for (l = s->outbox.head; l; l = next) {
    PendingInput *op = l->data;

    next = l->next;
    if (op->queue == q) {
      g_queue_delete_link (&s->outbox, l);
      pending_input_free (op);
    }
  }
  s->queues = g_list_remove (s->queues, q);
  cartesia_event_queue_release (q);
}

static gboolean
on_close_timeout (gpointer user_data)
{
  CartesiaContexts *s = user_data;

  GST_INFO ("the server did not finish the handshake or the close in time");
  g_cancellable_cancel (s->cancellable);
  g_main_loop_quit (s->loop);
  return G_SOURCE_REMOVE;
}

void
cartesia_contexts_shutdown (CartesiaContexts * s)
{
  if (s->backend->klass->shutdown (s->backend) == CARTESIA_BACKEND_STOPPED) {
    g_main_loop_quit (s->loop);
    return;
  }
  /* Close cleanly, but never let a silent server hold up a state change. */
  g_source_unref (cartesia_backend_schedule (s->backend, CLOSE_WAIT_MS,
          on_close_timeout, s));
}

void
cartesia_contexts_connect (CartesiaContexts * s)
{
  s->backend->klass->connect (s->backend);
}

CartesiaContexts *
cartesia_contexts_new (CartesiaBackend * backend,
    const CartesiaRetryPolicy * policy, GRand * rand, GMainLoop * loop,
    GCancellable * cancellable, CartesiaEventQueue * queue)
{
  CartesiaContexts *s = g_new0 (CartesiaContexts, 1);

  init_debug ();
  s->backend = backend;
  s->policy = *policy;
  s->rand = rand;
  s->loop = loop;
  s->cancellable = cancellable;
  s->contexts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      context_state_free);
  s->wire_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      g_free);
  g_queue_init (&s->outbox);
  if (queue)
    s->queues = g_list_append (NULL, queue);
  backend->events = &backend_events;
  backend->conn = s;
  return s;
}

void
cartesia_contexts_free (CartesiaContexts * s)
{
  g_queue_clear_full (&s->outbox, pending_input_free);
  g_hash_table_unref (s->contexts);
  g_hash_table_unref (s->wire_ids);
  g_list_free (s->queues);
  cartesia_event_free (s->refusal);
  g_free (s);
}
