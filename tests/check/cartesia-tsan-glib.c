/* ThreadSanitizer annotations for the uninstrumented GLib of the system.
 * Linked (with -rdynamic) into the test programs of a -Db_sanitize=thread
 * build only.
 *
 * Debian's GLib is not built with ThreadSanitizer, and its GMutex and GCond
 * are futexes driven by atomics that TSan never sees: to TSan, every
 * GST_OBJECT_LOCK() would be no lock at all, and every field the element
 * guards with it a race.  Suppressing those reports would hide exactly the
 * races TSan is here to find.  Instead these wrappers interpose the GLib
 * calls that hand memory from one thread to another (the program's symbols
 * come first for the plugin and every library) and tell TSan what they do:
 * a lock acquires, an unlock releases, a GCond wait releases and
 * re-acquires its mutex, a GAsyncQueue push releases and a pop acquires, an
 * idle or timeout GSource attached from one thread and dispatched on another
 * releases at the attach and acquires before its callback.  Then the reports
 * that remain are about memory that no GLib lock orders: real races.
 *
 * Accesses made by GLib and GStreamer themselves are not instrumented, so
 * TSan checks the code under gst/cartesia/, the emulator and the tests, and
 * what libc functions (memcpy, free, ...) do on their behalf. */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <stdlib.h>
#include <glib.h>

void __tsan_acquire (void *addr);
void __tsan_release (void *addr);

/* The real function, looked up past this program (atomically: any thread
 * may be first). */
#define REAL(name, ret, args)                                   \
  ret (*real_##name) args;                                      \
  static gpointer real_##name##_ptr;                            \
  real_##name = g_atomic_pointer_get (&real_##name##_ptr);      \
  if (G_UNLIKELY (real_##name == NULL)) {                       \
    real_##name = (ret (*) args) dlsym (RTLD_NEXT, #name);      \
    if (real_##name == NULL)                                    \
      abort ();                                                 \
    g_atomic_pointer_set (&real_##name##_ptr, real_##name);     \
  }

void
g_mutex_lock (GMutex * mutex)
{
  REAL (g_mutex_lock, void, (GMutex *));
  real_g_mutex_lock (mutex);
  __tsan_acquire (mutex);
}

gboolean
g_mutex_trylock (GMutex * mutex)
{
  gboolean locked;

  REAL (g_mutex_trylock, gboolean, (GMutex *));
  locked = real_g_mutex_trylock (mutex);
  if (locked)
    __tsan_acquire (mutex);
  return locked;
}

void
g_mutex_unlock (GMutex * mutex)
{
  REAL (g_mutex_unlock, void, (GMutex *));
  __tsan_release (mutex);
  real_g_mutex_unlock (mutex);
}

void
g_cond_wait (GCond * cond, GMutex * mutex)
{
  REAL (g_cond_wait, void, (GCond *, GMutex *));
  __tsan_release (mutex);
  real_g_cond_wait (cond, mutex);
  __tsan_acquire (mutex);
}

gboolean
g_cond_wait_until (GCond * cond, GMutex * mutex, gint64 end_time)
{
  gboolean signalled;

  REAL (g_cond_wait_until, gboolean, (GCond *, GMutex *, gint64));
  __tsan_release (mutex);
  signalled = real_g_cond_wait_until (cond, mutex, end_time);
  __tsan_acquire (mutex);
  return signalled;
}

void
g_async_queue_push (GAsyncQueue * queue, gpointer data)
{
  REAL (g_async_queue_push, void, (GAsyncQueue *, gpointer));
  __tsan_release (queue);
  real_g_async_queue_push (queue, data);
}

void
g_async_queue_push_front (GAsyncQueue * queue, gpointer data)
{
  REAL (g_async_queue_push_front, void, (GAsyncQueue *, gpointer));
  __tsan_release (queue);
  real_g_async_queue_push_front (queue, data);
}

gpointer
g_async_queue_pop (GAsyncQueue * queue)
{
  gpointer data;

  REAL (g_async_queue_pop, gpointer, (GAsyncQueue *));
  data = real_g_async_queue_pop (queue);
  __tsan_acquire (queue);
  return data;
}

gpointer
g_async_queue_try_pop (GAsyncQueue * queue)
{
  gpointer data;

  REAL (g_async_queue_try_pop, gpointer, (GAsyncQueue *));
  data = real_g_async_queue_try_pop (queue);
  __tsan_acquire (queue);
  return data;
}

gpointer
g_async_queue_timeout_pop (GAsyncQueue * queue, guint64 timeout)
{
  gpointer data;

  REAL (g_async_queue_timeout_pop, gpointer, (GAsyncQueue *, guint64));
  data = real_g_async_queue_timeout_pop (queue, timeout);
  __tsan_acquire (queue);
  return data;
}

/* An idle or timeout source's callback, run after what attached it. */
typedef struct
{
  GSource *source;
  GSourceFunc func;
  gpointer data;
  GDestroyNotify notify;
} SourceCallback;

static gboolean
source_callback_run (gpointer user_data)
{
  SourceCallback *cb = user_data;

  __tsan_acquire (cb);          /* released when it was filled in */
  __tsan_acquire (cb->source);  /* released by g_source_attach() */
  return cb->func (cb->data);
}

static void
source_callback_free (gpointer user_data)
{
  SourceCallback *cb = user_data;

  if (cb->notify)
    cb->notify (cb->data);
  g_free (cb);
}

void
g_source_set_callback (GSource * source, GSourceFunc func, gpointer data,
    GDestroyNotify notify)
{
  REAL (g_source_set_callback, void, (GSource *, GSourceFunc, gpointer,
          GDestroyNotify));
  /* Only these two call a plain GSourceFunc; other sources' callbacks have
   * other signatures. */
  if (func && (source->source_funcs == &g_idle_funcs
          || source->source_funcs == &g_timeout_funcs)) {
    SourceCallback *cb = g_new (SourceCallback, 1);

    cb->source = source;
    cb->func = func;
    cb->data = data;
    cb->notify = notify;
    __tsan_release (cb);
    real_g_source_set_callback (source, source_callback_run, cb,
        source_callback_free);
    return;
  }
  real_g_source_set_callback (source, func, data, notify);
}

guint
g_source_attach (GSource * source, GMainContext * context)
{
  REAL (g_source_attach, guint, (GSource *, GMainContext *));
  __tsan_release (source);
  return real_g_source_attach (source, context);
}

/* GRecMutex (GstPad's stream lock, GstTask's) and GRWLock are pthread locks,
 * but called from an uninstrumented library, which TSan ignores here
 * (ignore_noninstrumented_modules=1, see meson.build). */
void
g_rec_mutex_lock (GRecMutex * mutex)
{
  REAL (g_rec_mutex_lock, void, (GRecMutex *));
  real_g_rec_mutex_lock (mutex);
  __tsan_acquire (mutex);
}

gboolean
g_rec_mutex_trylock (GRecMutex * mutex)
{
  gboolean locked;

  REAL (g_rec_mutex_trylock, gboolean, (GRecMutex *));
  locked = real_g_rec_mutex_trylock (mutex);
  if (locked)
    __tsan_acquire (mutex);
  return locked;
}

void
g_rec_mutex_unlock (GRecMutex * mutex)
{
  REAL (g_rec_mutex_unlock, void, (GRecMutex *));
  __tsan_release (mutex);
  real_g_rec_mutex_unlock (mutex);
}

void
g_rw_lock_writer_lock (GRWLock * lock)
{
  REAL (g_rw_lock_writer_lock, void, (GRWLock *));
  real_g_rw_lock_writer_lock (lock);
  __tsan_acquire (lock);
}

void
g_rw_lock_writer_unlock (GRWLock * lock)
{
  REAL (g_rw_lock_writer_unlock, void, (GRWLock *));
  __tsan_release (lock);
  real_g_rw_lock_writer_unlock (lock);
}

void
g_rw_lock_reader_lock (GRWLock * lock)
{
  REAL (g_rw_lock_reader_lock, void, (GRWLock *));
  real_g_rw_lock_reader_lock (lock);
  __tsan_acquire (lock);
}

void
g_rw_lock_reader_unlock (GRWLock * lock)
{
  REAL (g_rw_lock_reader_unlock, void, (GRWLock *));
  __tsan_release (lock);
  real_g_rw_lock_reader_unlock (lock);
}
