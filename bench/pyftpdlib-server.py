# The pyftpdlib server of the benchmarks (apt-get install python3-pyftpdlib): user bench with
# full rights on argv[1], listening on 127.0.0.1:argv[2], passive ports argv[3]-argv[4], no
# per-command logging (it would cost pyftpdlib CPU that is not server work), no session caps.
import logging
import sys

from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import FTPHandler
from pyftpdlib.servers import FTPServer

root, port, pasv_min, pasv_max = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
logging.basicConfig(level=logging.WARNING)
authorizer = DummyAuthorizer()
authorizer.add_user('bench', 'bench', root, perm='elradfmwMT')
handler = FTPHandler
handler.authorizer = authorizer
handler.passive_ports = range(pasv_min, pasv_max + 1)
handler.banner = 'pyftpdlib bench'
server = FTPServer(('127.0.0.1', port), handler)
server.max_cons = 5000
server.max_cons_per_ip = 0
print('ready', flush=True)
server.serve_forever(handle_exit=True)
