#!/usr/bin/env node
// A third-party LwM2M server for tests/interop/node_lwm2m_test.cpp: lwm2m-node-lib's server
// (in-memory device registry) on 127.0.0.1:PORT, driven by JSON lines.
//
//   node lwm2m_node_server.js PORT
//
// stdout, one JSON object a line:
//   {"event":"started","port":P}                       (or {"event":"error",...} and exit 1)
//   {"event":"registered","ep":E,"lifetime":"60","version":"1.1","binding":"U","links":"</1/0>,..."}
//   {"event":"updated","ep":E,"lifetime":"60","links":"..."}
//   {"event":"deregistered","ep":E}
//   {"event":"notify","ep":E,"path":"/3311/0/5850","value":"..."}
//   {"id":N,"ok":true,"value":"..."} or {"id":N,"error":"...","code":"4.04"}   (command answers)
// stdin, one JSON command a line ({"id":N,"op":...,"ep":E,"path":"/o/i/r"}):
//   read, write (value), execute (args, optional), discover (path of 1 to 3 ids),
//   write-attributes (attributes: {"pmin":1,...}), observe, cancel-observe, list.
// The process ends on stdin EOF or SIGTERM (the server is stopped first).
'use strict';

const lwm2m = require('lwm2m-node-lib');
const {emit, readCommands} = require('./json_lines');
const server = lwm2m.server;

const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port <= 0 || port > 65535) {
    process.stderr.write('usage: node lwm2m_node_server.js PORT\n');
    process.exit(2);
}


const config = {
    port: port,
    lifetimeCheckInterval: 1000,
    udpWindow: 100,
    defaultType: 'Device',
    logLevel: process.env.LWM2M_NODE_LOG_LEVEL || 'FATAL',
    ipProtocol: 'udp4',
    serverProtocol: 'udp4',
    // The library's defaults are the pre-1.0 draft numbers (1541 "lightweightm2m/text" for
    // writes, no Accept): ask for LwM2M 1.x text/plain (Content-Format 0) instead.
    formats: [{name: 'text/plain', value: 0}],
    writeFormat: 'text/plain',
    defaultAcceptFormat: 'text/plain'
};

let serverInfo = null;
let stopping = false;

function deviceId(ep, callback) {
    server.getRegistry().getByName(ep, function (error, device) {
        if (error || !device) {
            callback(new Error('no device ' + ep));
        } else {
            callback(null, device.id);
        }
    });
}

// "/3311/0/5850" -> ["3311", "0", "5850"]
function pathIds(path) {
    return String(path || '').split('/').filter(function (s) {
        return s !== '';
    });
}

function answer(id) {
    return function (error, value) {
        if (error) {
            emit({id: id, error: error.name || String(error), code: error.code || null,
                message: error.message || null});
        } else {
            emit({id: id, ok: true, value: value === undefined ? null : value});
        }
    };
}

function run(command) {
    const id = command.id;
    const done = answer(id);
    if (command.op === 'list') {
        server.getRegistry().list(function (error, devices) {
            done(error, (devices || []).map(function (d) {
                return {ep: d.name, lifetime: d.lifetime, address: d.address, port: d.port};
            }));
        });
        return;
    }
    const ids = pathIds(command.path);
    deviceId(command.ep, function (error, dev) {
        if (error) {
            done(error);
            return;
        }
        switch (command.op) {
        case 'read':
            server.read(dev, ids[0], ids[1], ids[2], done);
            break;
        case 'write':
            server.write(dev, ids[0], ids[1], ids[2], String(command.value), done);
            break;
        case 'execute':
            server.execute(dev, ids[0], ids[1], ids[2], command.args || '', done);
            break;
        case 'discover':
            if (ids.length === 3) {
                server.discover(dev, ids[0], ids[1], ids[2], done);
            } else if (ids.length === 2) {
                server.discover(dev, ids[0], ids[1], done);
            } else {
                server.discover(dev, ids[0], done);
            }
            break;
        case 'write-attributes':
            server.writeAttributes(dev, ids[0], ids[1], ids[2], command.attributes || {}, done);
            break;
        case 'observe':
            server.observe(dev, ids[0], ids[1], ids[2], function (value, o, i, r) {
                emit({event: 'notify', ep: command.ep, path: '/' + o + '/' + i + '/' + r, value: value});
            }, done);
            break;
        case 'cancel-observe':
            server.cancelObserver(dev, ids[0], ids[1], ids[2], done);
            break;
        default:
            done(new Error('unknown op ' + command.op));
        }
    });
}

function stop(code) {
    if (stopping) {
        return;
    }
    stopping = true;
    const finish = function () {
        process.exit(code);
    };
    setTimeout(finish, 2000).unref();
    if (serverInfo) {
        server.stop(serverInfo, finish);
    } else {
        finish();
    }
}

server.start(config, function (error, info) {
    if (error) {
        emit({event: 'error', message: String(error)});
        process.exit(1);
    }
    serverInfo = info;
    server.setHandler(info, 'registration', function (ep, lifetime, version, binding, payload, callback) {
        emit({event: 'registered', ep: ep, lifetime: lifetime, version: version, binding: binding,
            links: payload});
        callback();
    });
    server.setHandler(info, 'updateRegistration', function (device, payload, callback) {
        emit({event: 'updated', ep: device.name, lifetime: device.lifetime, links: payload});
        callback();
    });
    const deregistered = function (device, callback) {
        emit({event: 'deregistered', ep: device.name});
        callback();
    };
    server.setHandler(info, 'unregistration', deregistered);
    // setHandler('unregistration') restarts the lifetime check with an undefined interval
    // (a 1 ms timer): restart it with the configured one.
    server.getRegistry().checkLifetime(config.lifetimeCheckInterval, deregistered);
    emit({event: 'started', port: port});

    readCommands(run, function (e) {
        emit({id: null, error: 'bad json', message: String(e)});
    }, function () {
        stop(0);
    });
});

process.on('SIGTERM', function () {
    stop(0);
});
process.on('SIGINT', function () {
    stop(0);
});
