"""The Python half of the celers <-> Celery examples: one Celery app on the same MySQL database as celers.

CELERS_DATABASE_URL is the celers URL (mysql://user:pass@host:port/db); Celery reaches the same database
through kombu's SQLAlchemy transport (broker) and the database result backend.
"""
import os

from celery import Celery

_url = os.environ['CELERS_DATABASE_URL'].replace('mysql://', 'mysql+pymysql://', 1)
app = Celery('celery_app', broker='sqla+' + _url, backend='db+' + _url)
app.conf.update(task_serializer='json', result_serializer='json', accept_content=['json'])


@app.task(name='invoices.total')
def invoice_total(lines, currency='EUR'):
    """Run by the Python worker when TypeScript sends it (ts-to-python.ts)."""
    return {'currency': currency, 'total': sum(line['qty'] * line['price'] for line in lines)}
