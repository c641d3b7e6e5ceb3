terraform import lastline_customer_contact.own admin@example.com
