#!/usr/bin/env node
// A third-party LwM2M client for tests/interop/node_lwm2m_test.cpp: lwm2m-node-lib's client
// (in-memory object registry) registering with 127.0.0.1:PORT, driven by JSON lines.
//
//   node lwm2m_node_client.js PORT ENDPOINT [LIFETIME]
//
// Objects: /3/0 (Manufacturer 0, Model Number 1, Reboot 4 executable) and /3303/0 (IPSO
// Temperature: Sensor Value 5700, Sensor Units 5701). The library keeps every value as a string
// and answers a Read of one resource with that string (no Content-Format option).
//
// stdout, one JSON object a line:
//   {"event":"registered","location":"rd/..."}   (or {"event":"error",...} and exit 1)
//   {"event":"write","path":"/3303/0/5701","value":"..."}   (a Write the server sent)
//   {"event":"execute","path":"/3/0/4","args":"..."}         (an Execute the server sent)
//   {"event":"updated"} / {"event":"deregistered"}
// stdin, one JSON command a line:
//   {"op":"set","path":"/3303/0/5700","value":"22.5"}  (a local change: observers are notified)
//   {"op":"update"}        (Registration Update)
//   {"op":"deregister"}    (De-register, then exit 0)
// The process also de-registers and exits on stdin EOF or SIGTERM.
'use strict';

const lwm2m = require('lwm2m-node-lib');
const {emit, readCommands} = require('./json_lines');
const client = lwm2m.client;

const port = Number(process.argv[2]);
const endpoint = process.argv[3];
const lifetime = process.argv[4] || '60';
if (!Number.isInteger(port) || port <= 0 || port > 65535 || !endpoint) {
    process.stderr.write('usage: node lwm2m_node_client.js PORT ENDPOINT [LIFETIME]\n');
    process.exit(2);
}


const config = {
    client: {
        lifetime: lifetime,
        version: '1.0',
        logLevel: process.env.LWM2M_NODE_LOG_LEVEL || 'FATAL',
        observe: {period: 3000},
        ipProtocol: 'udp4',
        serverProtocol: 'udp4',
        // node-coap drops (without an answer) a request whose Accept or Content-Format it has
        // no name for: name the LwM2M ones so that our server's requests reach the library.
        formats: [
            {name: 'text/plain', value: 0},
            {name: 'application/vnd.oma.lwm2m+tlv', value: 11542},
            {name: 'application/vnd.oma.lwm2m+json', value: 11543},
            {name: 'application/senml+json', value: 110},
            {name: 'application/senml+cbor', value: 112},
            {name: 'application/vnd.oma.lwm2m+cbor', value: 11544}
        ],
        writeFormat: 'text/plain'
    }
};

const objects = [
    ['/3/0', {'0': 'Telefonica', '1': 'lwm2m-node-lib', '4': ''}],
    ['/3303/0', {'5700': '21.5', '5701': 'Cel'}]
];

let device = null;
let leaving = false;

function createObjects(index, callback) {
    if (index === objects.length) {
        callback(null);
        return;
    }
    const uri = objects[index][0];
    const resources = Object.entries(objects[index][1]);
    client.registry.create(uri, function (error) {
        if (error) {
            callback(error);
            return;
        }
        let pending = resources.length;
        resources.forEach(function (entry) {
            client.registry.setResource(uri, entry[0], entry[1], function () {
                pending -= 1;
                if (pending === 0) {
                    createObjects(index + 1, callback);
                }
            });
        });
    });
}

function leave() {
    if (leaving) {
        return;
    }
    leaving = true;
    setTimeout(function () {
        emit({event: 'error', message: 'de-registration timed out'});
        process.exit(1);
    }, 10000).unref();
    if (!device) {
        process.exit(0);
    }
    client.unregister(device, function (error) {
        if (error) {
            emit({event: 'error', message: String(error)});
            process.exit(1);
        }
        emit({event: 'deregistered'});
        process.exit(0);
    });
}

function run(command) {
    switch (command.op) {
    case 'set': {
        const path = String(command.path);
        const cut = path.lastIndexOf('/');
        client.registry.setResource(path.slice(0, cut), path.slice(cut + 1), String(command.value),
            function (error) {
                if (error) {
                    emit({event: 'error', message: String(error)});
                }
            });
        break;
    }
    case 'update':
        client.update(device, function (error) {
            emit(error ? {event: 'error', name: error.name, message: error.message} : {event: 'updated'});
        });
        break;
    case 'deregister':
        leave();
        break;
    default:
        emit({event: 'error', message: 'unknown op ' + command.op});
    }
}

client.init(config);
createObjects(0, function (error) {
    if (error) {
        emit({event: 'error', message: String(error)});
        process.exit(1);
    }
    client.register('127.0.0.1', port, null, endpoint, function (error, info) {
        if (error) {
            emit({event: 'error', message: String(error)});
            process.exit(1);
        }
        device = info;
        client.setHandler(info.serverInfo, 'write', function (objectType, objectId, resourceId, value, callback) {
            emit({event: 'write', path: '/' + objectType + '/' + objectId + '/' + resourceId, value: value});
            callback(null);
        });
        client.setHandler(info.serverInfo, 'execute', function (objectType, objectId, resourceId, args, callback) {
            emit({event: 'execute', path: '/' + objectType + '/' + objectId + '/' + resourceId, args: args});
            callback(null);
        });
        emit({event: 'registered', location: info.location});

        readCommands(function (command) {
            try {
                run(command);
            } catch (e) {
                emit({event: 'error', message: 'bad command: ' + String(e)});
            }
        }, function (e) {
            emit({event: 'error', message: 'bad command: ' + String(e)});
        }, leave);
    });
});

process.on('SIGTERM', leave);
process.on('SIGINT', leave);
