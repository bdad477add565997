// The system SQLite (Debian: libsqlite3-dev). Parley talks to it directly so it can keep prepared
// statements and run a whole transaction on one thread; see Engine/SQLite in ParleyStore.
#include <sqlite3.h>
