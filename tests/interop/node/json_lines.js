'use strict';
// JSON lines over stdin/stdout for the interop scripts (lwm2m_node_client.js,
// lwm2m_node_server.js): one JSON object per line each way.

/** Writes `object` as one line on stdout. */
function emit(object) {
    process.stdout.write(JSON.stringify(object) + '\n');
}

/**
 * Calls `onCommand(object)` for every non-empty stdin line that parses as JSON,
 * `onBadLine(error)` for one that does not, and `onEnd()` when stdin closes.
 */
function readCommands(onCommand, onBadLine, onEnd) {
    let buffer = '';
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', function (chunk) {
        buffer += chunk;
        let nl;
        while ((nl = buffer.indexOf('\n')) >= 0) {
            const line = buffer.slice(0, nl).trim();
            buffer = buffer.slice(nl + 1);
            if (line === '') {
                continue;
            }
            let command;
            try {
                command = JSON.parse(line);
            } catch (e) {
                onBadLine(e);
                continue;
            }
            onCommand(command);
        }
    });
    process.stdin.on('end', onEnd);
}

module.exports = {emit, readCommands};
