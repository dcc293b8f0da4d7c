#pragma once

namespace iotcore::broker {

// The outcome of one socket-level read or write. Plain TCP reads wait for readability and writes
// for writability; TLS may need the other direction (a handshake message, a key update), as
// OpenSSL's SSL_ERROR_WANT_READ and SSL_ERROR_WANT_WRITE say.
enum class IoResult { Done, WantRead, WantWrite, Closed, Failed };

} // namespace iotcore::broker
