"""Python producer: sends `emails.render` (run by the TypeScript worker in python-to-ts.ts) and prints its result."""
import json
import sys

from celery_app import app

result = app.send_task('emails.render', args=['ana@example.com'], kwargs={'name': 'Ana', 'items': [1, 2, 3]},
                       queue='ts-emails')
value = result.get(timeout=30)
print(json.dumps({'id': result.id, 'status': result.status, 'value': value}))
sys.stdout.flush()
