"""Rate limits, batch sizes and other numeric rules of the Vendor Center API.

The client and the sandbox both read these, so that the sandbox enforces the
same batch sizes that the client splits requests into.
"""

from __future__ import annotations

# One Mastershop may start 4 requests a second and 200 a minute, across the
# order (GOP) and product (GPM) APIs and the /token endpoint together.
REQUESTS_PER_SECOND = 4
REQUESTS_PER_MINUTE = 200

# /orders accepts `size` up to 300 by Jumia's documentation; some sellers
# report 400 responses above 100, so the client asks for 100 by default.
ORDERS_PAGE_SIZE_MAX = 300
ORDERS_PAGE_SIZE_DEFAULT = 100

# Order ids per /orders/items call and item ids per /orders/shipment-providers
# call. Production integrations send batches of 50 successfully.
ORDER_ITEMS_BATCH_MAX = 50
SHIPMENT_PROVIDERS_BATCH_MAX = 50

# Item ids per ready-to-ship, print-labels and cancel call. Print-labels is
# documented at 200; the other two have no documented cap, so the client uses
# the same number.
ORDER_ITEM_IDS_BATCH_MAX = 200

# Packages per /v2/orders/pack call. Not documented; chosen to keep one
# request body small.
PACKAGES_BATCH_MAX = 100

# /orders date filters may span at most three calendar months.
ORDERS_DATE_RANGE_MONTHS = 3

# /catalog/products and /catalog/stock accept `size` from 1 to 100.
CATALOG_PAGE_SIZE_MAX = 100

# Products per feed submission.
FEED_PRODUCTS_MAX = 1000

# Products per consignment order.
CONSIGNMENT_PRODUCTS_MAX = 2000

# Product titles between 15 and 60 characters, per the create feed's
# documented example. Jumia may accept others; split_valid reports them.
PRODUCT_NAME_LENGTH_MIN = 15
PRODUCT_NAME_LENGTH_MAX = 60

# Prices and sale prices with at most two decimal places.
PRICE_DECIMALS_MAX = 2

# Feed status reads per second across every waiter of one client, leaving
# most of the Mastershop's 4 requests a second to other calls.
FEED_POLLS_PER_SECOND = 1.0
